using Cake.Core;
using k8s;
using Registry.Build.Settings;

namespace Registry.Build.Kubernetes;

/// <summary>
/// Zero configuration on a laptop: when the kubeconfig's context is a local cluster (kind, minikube, k3d,
/// Docker Desktop, Rancher Desktop, OrbStack) and no host is given, the registry is served as <c>localhost</c> with the
/// private CA, so <c>./build.sh</c> alone deploys there.
/// </summary>
public static class LocalClusterDefaults
{
    public const string Host = "localhost";

    private const string DefaultHostSource = "default for the local cluster context ";

    /// <summary>Whether the host is this default, which what the cluster turns out to be may still replace (minikube's node IP).</summary>
    public static bool IsDefaultHost(SettingSource source) => source.Description.StartsWith(DefaultHostSource, StringComparison.Ordinal);

    public static bool IsLocal(string context) =>
        context.StartsWith("kind-", StringComparison.Ordinal)
        || context.StartsWith("k3d-", StringComparison.Ordinal)
        || context is "minikube" or "docker-desktop" or "docker-for-desktop" or "rancher-desktop" or "orbstack";

    public static RegistrySettings Apply(RegistrySettings settings, ICakeEnvironment environment)
    {
        // The cluster create-cluster=kind makes (or finds) is the one to deploy to, whatever the current context is.
        if (settings.CreateCluster == ClusterCreation.Kind && settings.KubeContext is null)
        {
            var origins = new Dictionary<string, SettingOrigin>(settings.Origins)
            {
                ["kube-context"] = new SettingOrigin(LocalCluster.KindCluster.Context, new SettingSource("default for create-cluster=kind")),
            };
            settings = settings with { KubeContext = LocalCluster.KindCluster.Context, Origins = origins };
        }

        if (settings.Host is not null || settings.Tls != TlsMode.Selfsigned)
        {
            return settings;
        }

        var context = settings.KubeContext ?? CurrentContext(settings, environment);
        if (context is null || !IsLocal(context))
        {
            return settings;
        }

        var withHost = new Dictionary<string, SettingOrigin>(settings.Origins)
        {
            ["host"] = new SettingOrigin(Host, new SettingSource($"{DefaultHostSource}{context}")),
        };
        return settings with { Host = Host, Origins = withHost };
    }

    // A broken or missing kubeconfig gives no default here; connecting reports what is wrong with it.
    private static string? CurrentContext(RegistrySettings settings, ICakeEnvironment environment)
    {
        var source = KubeconfigSource.Find(settings, environment, out _);
        if (source is null || source.InCluster)
        {
            return null;
        }

        try
        {
            return KubernetesClientConfiguration.LoadKubeConfig(new FileInfo(source.Files[0]), false).CurrentContext;
        }
        catch (Exception exception) when (exception is k8s.Exceptions.KubeConfigException or IOException or YamlDotNet.Core.YamlException)
        {
            return null;
        }
    }
}
