using Registry.Build.Host;

namespace Registry.Build.Tasks;

[TaskName("Namespace")]
[TaskDescription("Create the registry's namespace, labelled as managed by this pipeline.")]
[IsDependentOn(typeof(ValidateTask))]
public sealed class NamespaceTask : FrostingTask<BuildContext>
{
    public override void Run(BuildContext context) => throw StepNotAvailable.Error(this, issue: 4);
}
