using Cake.Core;
using Cake.Core.Diagnostics;
using Registry.Build.Settings;
using Registry.Build.Tools.Docker;
using Registry.Build.Tools.Kind;
using Registry.Build.Workspace;

namespace Registry.Build.LocalCluster;

/// <summary>
/// The kind cluster <c>create-cluster=kind</c> deploys to: created from <c>k8s/kind-cluster.yaml</c> when this
/// machine has none of that name, found and left as it is otherwise. The pipeline never deletes it.
/// </summary>
public sealed class KindCluster(KindRunner kind, DockerRunner docker, ICakeEnvironment environment, ICakeLog log)
{
    public const string Name = "registry";

    /// <summary>The kubeconfig context kind gives the cluster.</summary>
    public const string Context = "kind-" + Name;

    /// <summary>kind's node images read /etc/containerd/certs.d, which the cluster's trust in the registry relies on, since this release.</summary>
    public static readonly Version Minimum = new(0, 27, 0);

    public static Cake.Core.IO.FilePath Config => SourceTree.Root.Combine("k8s").CombineWithFilePath("kind-cluster.yaml");

    private bool HasContext(RegistrySettings settings)
    {
        if (Kubernetes.KubeconfigSource.Find(settings, environment, out _) is not { InCluster: false } source)
        {
            return false;
        }

        try
        {
            return source.Files.Any(file => File.Exists(file)
                && k8s.KubernetesClientConfiguration.LoadKubeConfig(new FileInfo(file), false).Contexts.Any(context => context.Name == Context));
        }
        catch (Exception exception) when (exception is k8s.Exceptions.KubeConfigException or IOException or YamlDotNet.Core.YamlException)
        {
            return false;
        }
    }

    public void Ensure(RegistrySettings settings)
    {
        if (!kind.IsInstalled)
        {
            throw new CakeException(
                "create-cluster is kind, but kind is not on PATH. Install kind (https://kind.sigs.k8s.io, v0.27 or later) and Docker, " +
                "or point at an existing cluster with --kubeconfig=FILE and create-cluster=none.");
        }

        var version = kind.Version();
        if (version is null || version < Minimum)
        {
            throw new CakeException(
                $"create-cluster is kind, but kind {version?.ToString() ?? "(of unknown version)"} is older than {Minimum}, whose nodes are the first to read " +
                "/etc/containerd/certs.d (how a cluster learns to trust the registry's CA); install a current kind.");
        }

        if (!docker.IsInstalled || !docker.IsRunning())
        {
            throw new CakeException(
                $"create-cluster is kind, but {(docker.IsInstalled ? "the Docker engine does not answer (docker info failed): start Docker" : "docker is not on PATH: install Docker")}; " +
                "kind runs the cluster's node as a container.");
        }

        if (kind.Clusters().Contains(Name))
        {
            // The kubeconfig may have lost its context (a new file, a cleaned one): kind writes it again. Only then,
            // since an export also makes it the current context, which is the user's choice otherwise.
            if (!HasContext(settings))
            {
                kind.ExportKubeconfig(Name, settings.Kubeconfig);
            }

            log.Information($"The kind cluster {Name} is there already; deploying to it (context {Context}).");
            return;
        }

        log.Information($"Creating the kind cluster {Name} from {Config.FullPath} (ports 80 and 443 on this machine)...");
        kind.Create(Name, Config, settings.Kubeconfig, settings.WaitTimeout);
    }
}
