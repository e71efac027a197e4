using Registry.Build.Host;
using Registry.Build.Prerequisites;

namespace Registry.Build.Tasks;

[TaskName("CertManager")]
[TaskDescription("Install cert-manager and wait until its webhook answers (guide step 4).")]
[IsDependentOn(typeof(TillerTask))]
public sealed class CertManagerTask(ClusterPrerequisites prerequisites) : FrostingTask<BuildContext>
{
    private CertManagerState? state;

    public override bool ShouldRun(BuildContext context)
    {
        state = prerequisites.CertManagerAsync(context.Cancellation).GetAwaiter().GetResult();
        return !state.Installed || Skip(state.Describe());
    }

    public override void Run(BuildContext context) =>
        throw StepNotAvailable.Error(this, issue: 4, $"installing the cert-manager chart, because {state!.Describe()}");
}
