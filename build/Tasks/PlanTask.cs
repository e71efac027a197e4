using Registry.Build.Host;

namespace Registry.Build.Tasks;

[TaskName("Plan")]
[TaskDescription("Show what Deploy would create or change, and write nothing.")]
[IsDependentOn(typeof(ValidateTask))]
public sealed class PlanTask : FrostingTask<BuildContext>
{
    public override void Run(BuildContext context) => throw StepNotAvailable.Error(this, issue: 7);
}
