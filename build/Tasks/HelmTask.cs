using Registry.Build.Host;

namespace Registry.Build.Tasks;

[TaskName("Helm")]
[TaskDescription("Find the Helm client, or download and verify the pinned release (guide step 1).")]
[IsDependentOn(typeof(ValidateTask))]
public sealed class HelmTask : FrostingTask<BuildContext>
{
    public override void Run(BuildContext context) => throw StepNotAvailable.Error(this, issue: 4);
}
