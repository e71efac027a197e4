using Cake.Core;
using k8s;
using k8s.Models;
using Registry.Build.State;
using Registry.Build.Host;
using Registry.Build.Inventory;
using Registry.Build.Kubernetes;

namespace Registry.Build.Tasks;

[TaskName("Inventory")]
[TaskDescription("Record what this pipeline owns (an ApplySet kubectl reads too) before creating any of it; refuse to take over what is not its own.")]
[IsDependentOn(typeof(NamespaceTask))]
[WritesToCluster]
public sealed class InventoryTask(ClusterConnector connector, RunDesiredState desired) : ApplyObjectsTask(connector, desired)
{
    // Before anything is written: an object of the same name that is someone else's would be overwritten here,
    // then deleted by a later prune or Destroy.
    public override bool ShouldRun(BuildContext context)
    {
        var state = Desired.GetAsync(context).GetAwaiter().GetResult();
        var api = Connector.ConnectAsync(context.Cancellation).GetAwaiter().GetResult().Api;
        var conflicts = state.ConflictsAsync(api, context.Cancellation).GetAwaiter().GetResult();
        if (conflicts.Count > 0)
        {
            throw new CakeException(
                $"{string.Join(", ", conflicts)} already exist{(conflicts.Count == 1 ? "s" : string.Empty)} and {(conflicts.Count == 1 ? "is" : "are")} not this pipeline's: " +
                "it does not take over what someone else made. Rename or remove them, or deploy into another namespace. Nothing was changed.");
        }

        return base.ShouldRun(context);
    }

    // Until Prune has run, the parent names the member kinds and namespaces of the last run as well as this one's: a run that
    // dies in between leaves no member the next run cannot find.
    protected override async Task<IReadOnlyList<IKubernetesObject<V1ObjectMeta>>> ObjectsAsync(BuildContext context)
    {
        var state = await Desired.GetAsync(context);
        var api = (await Connector.ConnectAsync(context.Cancellation)).Api;
        var live = await api.ReadAsync(state.ApplySet.ParentAddress, context.Cancellation);
        return [state.ApplySet.Parent(state.GroupKinds.Concat(ApplySet.GroupKindsOf(live)), state.Namespaces.Concat(ApplySet.NamespacesOf(live)))];
    }
}
