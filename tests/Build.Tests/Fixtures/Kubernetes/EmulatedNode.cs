using System.Collections.Concurrent;

namespace Registry.Build.Tests.Fixtures.Kubernetes;

/// <summary>
/// The one node of the emulated cluster, as far as pulling images goes: its platform, the files on its disk that
/// containerd reads (<c>/etc/containerd/certs.d</c>), and what its network reaches by name.
/// </summary>
public sealed class EmulatedNode
{
    public const string Name = "emulated-node";

    public const string CertsD = "/etc/containerd/certs.d";

    /// <summary>The node's <c>kubernetes.io/arch</c>: the platform the kubelet picks from an image index.</summary>
    public string Architecture { get; set; } = "amd64";

    /// <summary>Files on the node's disk by absolute path: what hostPath volumes write and containerd reads.</summary>
    public ConcurrentDictionary<string, string> Files { get; } = new();

    /// <summary>
    /// Where a registry host the node resolves is really served, by host as images name it: the node's resolver and
    /// the ingress in front of the registry, in one. A host missing here does not resolve on the node.
    /// </summary>
    public ConcurrentDictionary<string, Uri> Registries { get; } = new();

    /// <summary>The files under <paramref name="directory"/>, by path.</summary>
    public IReadOnlyDictionary<string, string> FilesUnder(string directory) =>
        Files.Where(file => file.Key.StartsWith(directory.TrimEnd('/') + "/", StringComparison.Ordinal)).ToDictionary(file => file.Key, file => file.Value);
}
