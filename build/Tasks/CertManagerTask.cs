using Registry.Build.Host;

namespace Registry.Build.Tasks;

[TaskName("CertManager")]
[TaskDescription("Install cert-manager and wait until its webhook answers (guide step 4).")]
[IsDependentOn(typeof(TillerTask))]
public sealed class CertManagerTask : FrostingTask<BuildContext>
{
    public override void Run(BuildContext context) => throw StepNotAvailable.Error(this, issue: 4);
}
