using Registry.Build.Host;

namespace Registry.Build.Tasks;

[TaskName("Certificate")]
[TaskDescription("Request the registry's TLS certificate and wait until it is ready (guide step 6).")]
[IsDependentOn(typeof(IssuerTask))]
public sealed class CertificateTask : FrostingTask<BuildContext>
{
    public override void Run(BuildContext context) => throw StepNotAvailable.Error(this, issue: 4);
}
