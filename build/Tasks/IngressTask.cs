using Registry.Build.Host;

namespace Registry.Build.Tasks;

[TaskName("Ingress")]
[TaskDescription("Publish the registry over HTTPS at host, sized for large pushes (guide step 11).")]
[IsDependentOn(typeof(CertificateTask))]
[IsDependentOn(typeof(ServiceTask))]
public sealed class IngressTask : FrostingTask<BuildContext>
{
    public override void Run(BuildContext context) => throw StepNotAvailable.Error(this, issue: 5);
}
