using Cake.Core;
using k8s;
using k8s.Exceptions;
using k8s.KubeConfigModels;
using Registry.Build.Settings;

namespace Registry.Build.Kubernetes;

/// <summary>
/// Which kubeconfig a run uses, found as kubectl finds it: --kubeconfig, else $KUBECONFIG (a list of files),
/// else ~/.kube/config, else the pod's service account when running inside a cluster.
/// </summary>
public sealed record KubeconfigSource(IReadOnlyList<string> Files, string Origin)
{
    public bool InCluster => Files.Count == 0;

    public override string ToString() => InCluster ? "the pod's service account (in-cluster)" : string.Join(", ", Files);

    /// <returns>The source, or null when there is none; <paramref name="searched"/> then says where it looked.</returns>
    public static KubeconfigSource? Find(RegistrySettings settings, ICakeEnvironment environment, out string searched)
    {
        searched = string.Empty;
        if (settings.Kubeconfig is { } explicitFile)
        {
            return new KubeconfigSource([explicitFile.FullPath], "--kubeconfig");
        }

        var fromVariable = environment.GetEnvironmentVariable("KUBECONFIG");
        if (!string.IsNullOrEmpty(fromVariable))
        {
            var files = fromVariable.Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries).Where(File.Exists).ToList();
            if (files.Count > 0)
            {
                return new KubeconfigSource(files, "$KUBECONFIG");
            }
        }

        var home = environment.GetEnvironmentVariable("HOME") ?? environment.GetEnvironmentVariable("USERPROFILE");
        var defaultFile = home is null ? null : Path.Combine(home, ".kube", "config");
        if (defaultFile is not null && File.Exists(defaultFile))
        {
            return new KubeconfigSource([defaultFile], "~/.kube/config");
        }

        if (!string.IsNullOrEmpty(environment.GetEnvironmentVariable("KUBERNETES_SERVICE_HOST")) && KubernetesClientConfiguration.IsInCluster())
        {
            return new KubeconfigSource([], "in-cluster");
        }

        searched = string.IsNullOrEmpty(fromVariable)
            ? $"--kubeconfig is not given, $KUBECONFIG is not set, {defaultFile ?? "~/.kube/config"} does not exist, and this is not a pod in a cluster"
            : $"--kubeconfig is not given, no file in $KUBECONFIG ({fromVariable}) exists, {defaultFile ?? "~/.kube/config"} does not exist, and this is not a pod in a cluster";
        return null;
    }

    /// <summary>The client configuration for <paramref name="context"/> (null: the current one).</summary>
    /// <exception cref="ArgumentException">The context is not there, or the file cannot be used; the message says which.</exception>
    public KubernetesClientConfiguration Build(string? context)
    {
        if (InCluster)
        {
            return KubernetesClientConfiguration.InClusterConfig();
        }

        K8SConfiguration kubeconfig;
        try
        {
            kubeconfig = Merge(Files.Select(Load).ToList());
        }
        catch (Exception exception) when (exception is KubeConfigException or IOException or YamlDotNet.Core.YamlException)
        {
            throw new ArgumentException($"{this} cannot be read as a kubeconfig: {exception.Message}", exception);
        }

        var contexts = kubeconfig.Contexts?.Select(candidate => candidate.Name).ToList() ?? [];
        var chosen = context ?? kubeconfig.CurrentContext;
        if (string.IsNullOrEmpty(chosen))
        {
            throw new ArgumentException(
                $"{this} has no current context; pass --kube-context with one of: {Listed(contexts)}.");
        }

        if (!contexts.Contains(chosen))
        {
            throw new ArgumentException($"context '{chosen}' is not in {this}; it has: {Listed(contexts)}.");
        }

        try
        {
            return KubernetesClientConfiguration.BuildConfigFromConfigObject(kubeconfig, chosen);
        }
        catch (KubeConfigException exception)
        {
            throw new ArgumentException($"context '{chosen}' in {this} cannot be used: {exception.Message}", exception);
        }
    }

    // The client's own loader (KubernetesClientConfiguration.LoadKubeConfig) goes through KubernetesYaml, whose first
    // use maps every Kubernetes model type: a quarter of a second of each run's start. The kubeconfig types carry their
    // YAML names, so a plain deserializer reads the same file; relative paths are resolved as the client does.
    private static readonly YamlDotNet.Serialization.IDeserializer Reader = new YamlDotNet.Serialization.DeserializerBuilder().IgnoreUnmatchedProperties().Build();

    private static K8SConfiguration Load(string file)
    {
        var kubeconfig = Reader.Deserialize<K8SConfiguration?>(File.ReadAllText(file)) ?? new K8SConfiguration();
        kubeconfig.FileName = Path.GetFullPath(file);
        return kubeconfig;
    }

    // kubectl's rule for a $KUBECONFIG list: the first file to name a context, cluster or user wins.
    private static K8SConfiguration Merge(IReadOnlyList<K8SConfiguration> files)
    {
        var merged = files[0];
        foreach (var next in files.Skip(1))
        {
            merged.CurrentContext ??= next.CurrentContext;
            merged.Contexts = Union(merged.Contexts, next.Contexts, item => item.Name);
            merged.Clusters = Union(merged.Clusters, next.Clusters, item => item.Name);
            merged.Users = Union(merged.Users, next.Users, item => item.Name);
        }

        return merged;
    }

    private static List<T> Union<T>(IEnumerable<T>? first, IEnumerable<T>? second, Func<T, string> name) =>
        (first ?? []).Concat(second ?? []).DistinctBy(name).ToList();

    private static string Listed(IReadOnlyCollection<string> contexts) => contexts.Count == 0 ? "(none)" : string.Join(", ", contexts);
}
