namespace Registry.Build.Tools.Helm;

/// <summary>A chart to install or upgrade: <c>helm upgrade --install NAME CHART --version VERSION --namespace NS</c>.</summary>
public sealed record HelmRelease(string Name, string Chart, string Version, string Namespace)
{
    /// <summary>A classic chart repository; null for an OCI chart reference.</summary>
    public string? Repository { get; init; }

    public IReadOnlyDictionary<string, string> Values { get; init; } = new Dictionary<string, string>();

    /// <summary>
    /// The chart makes a Service of type LoadBalancer. Helm 3's --wait waits for its external address too, which a
    /// cluster without a load balancer (bare metal, minikube, k3d without its own) never gives, and whether one is
    /// there cannot be told beforehand: Helm 3 is not asked to wait for such a chart, and the step waits for the
    /// workload itself. Helm 4's watcher counts the Service ready with a cluster IP, so it still waits.
    /// </summary>
    public bool HasLoadBalancerService { get; init; }
}
