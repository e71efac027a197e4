namespace Registry.Build.Tools.Helm;

/// <summary>A chart to install or upgrade: <c>helm upgrade --install NAME CHART --version VERSION --namespace NS</c>.</summary>
public sealed record HelmRelease(string Name, string Chart, string Version, string Namespace)
{
    /// <summary>A classic chart repository; null for an OCI chart reference.</summary>
    public string? Repository { get; init; }

    public IReadOnlyDictionary<string, string> Values { get; init; } = new Dictionary<string, string>();

    /// <summary>
    /// The chart makes a Service of type LoadBalancer on a cluster known to give it no address (minikube): Helm 3's
    /// --wait would wait for that address until it times out, so the step waits for the workload itself.
    /// </summary>
    public bool AddressNeverComes { get; init; }
}
