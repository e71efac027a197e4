using Registry.Build.State;
using Registry.Build.Host;
using Registry.Build.Kubernetes;
using Registry.Build.Settings;

namespace Registry.Build.Tasks;

[TaskName("Ingress")]
[TaskDescription("Publish the registry over HTTPS at host, sized for large pushes (guide step 11).")]
[IsDependentOn(typeof(CertificateTask))]
[IsDependentOn(typeof(WebUiTask))]
[WritesToCluster]
public sealed class IngressTask(ClusterConnector connector, RunDesiredState desired) : ApplyObjectsTask(connector, desired)
{
    public override bool ShouldRun(BuildContext context) =>
        context.Settings.Exposure == Exposure.Ingress ? base.ShouldRun(context) : Skip("exposure is gateway: the Gateway and HttpRoute steps publish the registry");
}
