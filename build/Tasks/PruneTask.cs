using System.Text.Json.Nodes;
using Cake.Common.Diagnostics;
using k8s.Models;
using Registry.Build.State;
using Registry.Build.Host;
using Registry.Build.Inventory;
using Registry.Build.Kubernetes;

namespace Registry.Build.Tasks;

[TaskName("Prune")]
[TaskDescription("Delete what this pipeline made before and no longer wants (an Issuer of a tls mode given up), and nothing else.")]
[IsDependentOn(typeof(NodeTrustTask))]
[WritesToCluster]
public sealed class PruneTask(ClusterConnector connector, RunDesiredState desired) : AsyncRegistryTask<BuildContext>
{
    private IReadOnlyList<JsonObject> orphans = [];

    public override bool ShouldRun(BuildContext context) => ShouldRunAsync(context).GetAwaiter().GetResult();

    public override async Task RunAsync(BuildContext context)
    {
        var state = await desired.GetAsync(context);
        var api = (await connector.ConnectAsync(context.Cancellation)).Api;
        foreach (var orphan in orphans)
        {
            var address = ApplySet.AddressOf(orphan);
            if (ApplySet.HoldsData(orphan))
            {
                context.Warning($"{address}: no longer wanted, but it holds data, so it is kept; Destroy with purge-data=true removes it.");
                continue;
            }

            foreach (var deleted in await state.ApplySet.DeleteMemberAsync(api, orphan, context.Cancellation))
            {
                context.Information($"{deleted}: deleted (no longer wanted)");
            }
        }

        await new ObjectApplier(api, context.Log).ApplyAsync(Parent(state), context.Cancellation);
    }

    private async Task<bool> ShouldRunAsync(BuildContext context)
    {
        var state = await desired.GetAsync(context);
        var api = (await connector.ConnectAsync(context.Cancellation)).Api;
        orphans = await state.OrphansAsync(api, context.Cancellation);
        var parent = await new ObjectApplier(api, context.Log).PlanAsync(Parent(state), context.Cancellation);
        var kept = orphans.Where(ApplySet.HoldsData).Select(orphan => ApplySet.AddressOf(orphan).ToString()).ToList();
        return orphans.Count > kept.Count || parent.Action != ApplyAction.Unchanged
            || Skip(kept.Count == 0
                ? "the inventory holds nothing Deploy no longer wants"
                : $"the inventory holds nothing to delete; {string.Join(", ", kept)} no longer wanted but kept, holding data (Destroy with purge-data=true removes it)");
    }

    // Once the orphans are gone, the parent names the kinds and namespaces of what is left: this run's, and what was kept for its data.
    private V1ConfigMap Parent(DesiredState state)
    {
        var kept = orphans.Where(ApplySet.HoldsData).Select(ApplySet.AddressOf).ToList();
        return state.ApplySet.Parent(
            state.GroupKinds.Concat(kept.Select(ApplySet.GroupKind)),
            state.Namespaces.Concat(kept.Select(address => address.Namespace).OfType<string>()));
    }
}
