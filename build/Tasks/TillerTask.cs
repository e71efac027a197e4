using Cake.Common.Diagnostics;
using Registry.Build.Host;
using Registry.Build.Kubernetes;
using Registry.Build.Prerequisites;

namespace Registry.Build.Tasks;

[TaskName("Tiller")]
[TaskDescription("Find a Tiller left from Helm 2 (guide step 1): an unauthenticated cluster-admin endpoint; remove it with remove-tiller=true.")]
[IsDependentOn(typeof(HelmTask))]
[WritesToCluster]
public sealed class TillerTask(ClusterConnector connector) : AsyncRegistryTask<BuildContext>
{
    private IReadOnlyList<ResourceAddress> leftovers = [];

    // Helm 2 is gone and today's charts install with Helm 3 or 4, which have no Tiller: the guide's step 1 now
    // means cleaning up after it, since any pod that reaches Tiller's port can do anything in the cluster.
    public override bool ShouldRun(BuildContext context)
    {
        var api = connector.ConnectAsync(context.Cancellation).GetAwaiter().GetResult().Api;
        try
        {
            leftovers = LeftoverTiller.FindAsync(api, context.Cancellation).GetAwaiter().GetResult();
        }
        catch (KubernetesApiException exception) when (exception.Status == System.Net.HttpStatusCode.Forbidden)
        {
            // A deployer limited to its own namespace cannot look into kube-system; that is no reason to stop.
            return Skip($"cannot look for a leftover Tiller: {exception.ServerMessage}");
        }

        if (leftovers.Count == 0)
        {
            return Skip("no Tiller in the cluster: Helm 3 and 4 have none");
        }

        var found = $"A Tiller from Helm 2 is still in the cluster ({string.Join(", ", leftovers)}): it serves unauthenticated gRPC " +
            "with cluster-admin rights, so any pod that reaches it controls the cluster.";
        context.Warning(found);
        return context.Settings.RemoveTiller || Skip("a leftover Tiller was found and kept; remove-tiller=true removes it");
    }

    public override async Task RunAsync(BuildContext context)
    {
        var api = (await connector.ConnectAsync(context.Cancellation)).Api;
        foreach (var address in leftovers)
        {
            await api.DeleteAsync(address, context.Cancellation);
            context.Information($"{address}: deleted (remove-tiller=true)");
        }
    }
}
