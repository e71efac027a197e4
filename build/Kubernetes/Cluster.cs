namespace Registry.Build.Kubernetes;

/// <summary>A cluster the run has proven it can talk to, and how it got there (for every message that names it).</summary>
public sealed record Cluster(KubernetesApi Api, string Server, string Context, KubeconfigSource Source, string Version)
{
    public override string ToString() => $"{Server} (context '{Context}' in {Source})";
}
