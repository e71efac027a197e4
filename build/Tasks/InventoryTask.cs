using k8s;
using k8s.Models;
using Registry.Build.State;
using Registry.Build.Host;
using Registry.Build.Inventory;
using Registry.Build.Kubernetes;

namespace Registry.Build.Tasks;

[TaskName("Inventory")]
[TaskDescription("Record what this pipeline owns (an ApplySet kubectl reads too) before creating any of it.")]
[IsDependentOn(typeof(NamespaceTask))]
[WritesToCluster]
public sealed class InventoryTask(ClusterConnector connector, RunDesiredState desired) : ApplyObjectsTask(connector, desired)
{
    // Until Prune has run, the parent names the member kinds of the last run as well as this one's: a run that
    // dies in between leaves no member the next run cannot find.
    protected override async Task<IReadOnlyList<IKubernetesObject<V1ObjectMeta>>> ObjectsAsync(BuildContext context)
    {
        var state = await Desired.GetAsync(context);
        var api = (await Connector.ConnectAsync(context.Cancellation)).Api;
        var live = await api.GetAsync(state.ApplySet.ParentAddress, context.Cancellation);
        return [state.ApplySet.Parent(state.GroupKinds.Concat(ApplySet.GroupKindsOf(live)))];
    }
}
