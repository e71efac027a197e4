using Registry.Build.Host;

namespace Registry.Build.Tasks;

[TaskName("Rollout")]
[TaskDescription("Wait until the registry is rolled out and answers on /v2/.")]
[IsDependentOn(typeof(IngressTask))]
public sealed class RolloutTask : FrostingTask<BuildContext>
{
    public override void Run(BuildContext context) => throw StepNotAvailable.Error(this, issue: 5);
}
