using Registry.Build.State;
using Registry.Build.Host;
using Registry.Build.Kubernetes;

namespace Registry.Build.Tasks;

[TaskName("Ingress")]
[TaskDescription("Publish the registry over HTTPS at host, sized for large pushes (guide step 11).")]
[IsDependentOn(typeof(CertificateTask))]
[IsDependentOn(typeof(ServiceTask))]
[WritesToCluster]
public sealed class IngressTask(ClusterConnector connector, RunDesiredState desired) : ApplyObjectsTask(connector, desired);
