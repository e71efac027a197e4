using k8s;
using k8s.Models;
using Registry.Build.State;
using Registry.Build.Host;
using Registry.Build.Kubernetes;

namespace Registry.Build.Tasks;

/// <summary>
/// A step that applies its objects of the desired state: skipped, with the objects named, when the cluster
/// already has every field as the pipeline would set it.
/// </summary>
public abstract class ApplyObjectsTask(ClusterConnector connector, RunDesiredState desired) : AsyncRegistryTask<BuildContext>
{
    protected ClusterConnector Connector { get; } = connector;

    protected RunDesiredState Desired { get; } = desired;

    public override bool ShouldRun(BuildContext context) => ShouldRunAsync(context).GetAwaiter().GetResult();

    public override async Task RunAsync(BuildContext context)
    {
        var applier = await ApplierAsync(context);
        foreach (var item in await ObjectsAsync(context))
        {
            await applier.ApplyAsync(item, context.Cancellation);
        }
    }

    /// <summary>What this step applies: its part of the desired state.</summary>
    protected virtual async Task<IReadOnlyList<IKubernetesObject<V1ObjectMeta>>> ObjectsAsync(BuildContext context) =>
        (await Desired.GetAsync(context)).Of(GetType());

    /// <summary>A check of the live objects before anything is written; throw to stop with a message.</summary>
    protected virtual void Check(BuildContext context, IReadOnlyList<ApplyResult> plans)
    {
    }

    private async Task<ObjectApplier> ApplierAsync(BuildContext context) =>
        new((await Connector.ConnectAsync(context.Cancellation)).Api, context.Log);

    private async Task<bool> ShouldRunAsync(BuildContext context)
    {
        var plans = await PlanAsync(context);
        return plans.Any(plan => plan.Action != ApplyAction.Unchanged) || Skip(Unchanged(plans));
    }

    /// <summary>What applying this step's objects would do, after <see cref="Check"/> saw it.</summary>
    protected async Task<IReadOnlyList<ApplyResult>> PlanAsync(BuildContext context)
    {
        var applier = await ApplierAsync(context);
        var plans = new List<ApplyResult>();
        foreach (var item in await ObjectsAsync(context))
        {
            plans.Add(await applier.PlanAsync(item, context.Cancellation));
        }

        Check(context, plans);
        return plans;
    }

    protected static string Unchanged(IReadOnlyList<ApplyResult> plans) =>
        $"{string.Join(", ", plans.Select(plan => plan.Address.ToString()))} {(plans.Count == 1 ? "is" : "are")} as this pipeline sets {(plans.Count == 1 ? "it" : "them")}";
}
