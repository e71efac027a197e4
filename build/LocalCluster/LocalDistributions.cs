using Registry.Build.Kubernetes;

namespace Registry.Build.LocalCluster;

/// <summary>The distribution of the cluster this run works on, looked up once.</summary>
public sealed class LocalDistributions(ClusterConnector connector)
{
    private Task<LocalDistribution?>? detected;

    /// <param name="ingressClass">The class the settings ask for (kept when the cluster has it).</param>
    public Task<LocalDistribution?> DetectAsync(string ingressClass, CancellationToken cancellationToken) =>
        detected ??= DetectOnceAsync(ingressClass, cancellationToken);

    private async Task<LocalDistribution?> DetectOnceAsync(string ingressClass, CancellationToken cancellationToken)
    {
        var cluster = await connector.ConnectAsync(cancellationToken);
        return await LocalDistribution.DetectAsync(cluster.Api, cluster.Context, ingressClass, cancellationToken);
    }
}
