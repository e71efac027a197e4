using Registry.Build.State;
using Registry.Build.Host;
using Registry.Build.Kubernetes;

namespace Registry.Build.Tasks;

[TaskName("Namespace")]
[TaskDescription("Create the registry's namespace when it is missing; a namespace someone else made is used as it is.")]
[IsDependentOn(typeof(ValidateTask))]
[WritesToCluster]
public sealed class NamespaceTask(ClusterConnector connector, RunDesiredState desired) : ApplyObjectsTask(connector, desired)
{
    public override bool ShouldRun(BuildContext context) =>
        Desired.GetAsync(context).GetAwaiter().GetResult().Of<NamespaceTask>().Count > 0
            ? base.ShouldRun(context)
            : Skip($"namespace {context.Settings.Namespace} exists and was not created by this pipeline: it is used as it is, never labelled, changed or deleted");
}
