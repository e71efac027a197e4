using Registry.Build.Host;

namespace Registry.Build.Tasks;

[TaskName("Issuer")]
[TaskDescription("Create the certificate issuer: Let's Encrypt ACME, or a self-signed CA (guide step 5).")]
[IsDependentOn(typeof(DnsTask))]
[IsDependentOn(typeof(CertManagerTask))]
[IsDependentOn(typeof(NamespaceTask))]
public sealed class IssuerTask : FrostingTask<BuildContext>
{
    public override void Run(BuildContext context) => throw StepNotAvailable.Error(this, issue: 4);
}
