using Registry.Build.Host;

namespace Registry.Build.Tasks;

[TaskName("SmokeTest")]
[TaskDescription("Push and pull a test image over the registry API (guide step 12).")]
[IsDependentOn(typeof(RolloutTask))]
public sealed class SmokeTestTask : FrostingTask<BuildContext>
{
    public override bool ShouldRun(BuildContext context) =>
        context.Settings.SmokeTest || Skip("smoke-test is false");

    public override void Run(BuildContext context) => throw StepNotAvailable.Error(this, issue: 6);
}
