using Cake.Core;
using Cake.Core.IO;
using k8s.Models;
using Registry.Build.Kubernetes;
using Registry.Build.Settings;

namespace Registry.Build.Tls;

/// <summary>
/// The private CA of <c>tls=selfsigned</c>: its certificate is exported to the artifacts folder, because every
/// machine that pushes or pulls must trust it (the guide's author turned TLS checks off instead).
/// </summary>
public static class PrivateCa
{
    public const string SecretName = "registry-ca";

    public static FilePath ExportPath(RegistrySettings settings) => settings.Artifacts.CombineWithFilePath("ca.crt");

    /// <summary>The CA certificate (PEM) from its Secret, or null while cert-manager has not issued it.</summary>
    /// <param name="fresh">Read it as it is now (after waiting for cert-manager), not as the run first saw it.</param>
    public static async Task<byte[]?> ReadAsync(KubernetesApi api, RegistrySettings settings, CancellationToken cancellationToken, bool fresh = false)
    {
        var address = ResourceAddress.For<V1Secret>(settings.Namespace, SecretName);
        var secret = fresh ? await api.GetAsync(address, cancellationToken) : await api.ReadAsync(address, cancellationToken);
        var data = secret?["data"];
        var encoded = data?["ca.crt"]?.GetValue<string>() ?? data?["tls.crt"]?.GetValue<string>();
        return encoded is null ? null : Convert.FromBase64String(encoded);
    }

    public static bool IsExported(RegistrySettings settings, byte[] certificate)
    {
        var path = ExportPath(settings).FullPath;
        return File.Exists(path) && File.ReadAllBytes(path).AsSpan().SequenceEqual(certificate);
    }

    /// <returns>How to trust it, for the log.</returns>
    public static string Export(RegistrySettings settings, byte[] certificate)
    {
        var path = ExportPath(settings).FullPath;
        Directory.CreateDirectory(System.IO.Path.GetDirectoryName(path)!);
        File.WriteAllBytes(path, certificate);
        var host = settings.Host;
        return string.Join(Environment.NewLine,
            $"The registry's CA certificate is in {path}. Trust it on every machine that pushes or pulls:",
            $"  Docker:     sudo mkdir -p /etc/docker/certs.d/{host} && sudo cp {path} /etc/docker/certs.d/{host}/ca.crt",
            $"  containerd: sudo mkdir -p /etc/containerd/certs.d/{host} && sudo cp {path} /etc/containerd/certs.d/{host}/ca.crt, then write",
            $"              /etc/containerd/certs.d/{host}/hosts.toml:  server = \"https://{host}\"  [host.\"https://{host}\"]  ca = \"/etc/containerd/certs.d/{host}/ca.crt\"",
            $"  Kubernetes nodes pull through containerd: do the same on each node (kind: docker exec into each node container).");
    }

    public static CakeException NotIssued(RegistrySettings settings) =>
        new($"The private CA's Secret {settings.Namespace}/{SecretName} has no certificate although its Certificate is Ready; cert-manager may still be writing it: run again.");
}
