using Registry.Build.Host;

namespace Registry.Build.Tasks;

[TaskName("Dns")]
[TaskDescription("Check that host resolves to the ingress controller's address (guide step 3).")]
[IsDependentOn(typeof(IngressControllerTask))]
public sealed class DnsTask : FrostingTask<BuildContext>
{
    public override void Run(BuildContext context) => throw StepNotAvailable.Error(this, issue: 4);
}
