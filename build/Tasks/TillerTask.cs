using Registry.Build.Host;

namespace Registry.Build.Tasks;

[TaskName("Tiller")]
[TaskDescription("Install Tiller, only for a Helm 2 client (guide step 1).")]
[IsDependentOn(typeof(HelmTask))]
public sealed class TillerTask : FrostingTask<BuildContext>
{
    public override void Run(BuildContext context) => throw StepNotAvailable.Error(this, issue: 4);
}
