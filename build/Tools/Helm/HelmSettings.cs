using Cake.Core.Tooling;

namespace Registry.Build.Tools.Helm;

/// <summary>What every helm call gets: the cluster to talk to (the same kubeconfig and context as the pipeline).</summary>
public sealed class HelmSettings : ToolSettings
{
    public string? Kubeconfig { get; set; }

    public string? KubeContext { get; set; }
}
