using k8s.Models;
using Registry.Build.Host;
using Registry.Build.Kubernetes;
using Registry.Build.Manifests;

namespace Registry.Build.Tasks;

[TaskName("Namespace")]
[TaskDescription("Create the registry's namespace, labelled as managed by this pipeline.")]
[IsDependentOn(typeof(ValidateTask))]
[WritesToCluster]
public sealed class NamespaceTask(ClusterConnector connector, ManifestTemplates templates) : AsyncFrostingTask<BuildContext>
{
    public override bool ShouldRun(BuildContext context)
    {
        var plan = Applier(context).PlanAsync(Namespace(context), context.Cancellation).GetAwaiter().GetResult();
        return plan.Action != ApplyAction.Unchanged || Skip($"namespace {context.Settings.Namespace} exists and is labelled as managed by this pipeline");
    }

    public override async Task RunAsync(BuildContext context) =>
        await Applier(context).ApplyAsync(Namespace(context), context.Cancellation);

    private V1Namespace Namespace(BuildContext context) =>
        templates.Load<V1Namespace>("namespace.yaml", ManifestValues.From(context.Settings));

    private ObjectApplier Applier(BuildContext context) =>
        new(connector.ConnectAsync(context.Cancellation).GetAwaiter().GetResult().Api, context.Log);
}
