using k8s;
using k8s.Models;
using Registry.Build.Host;
using Registry.Build.Kubernetes;
using Registry.Build.Registry;

namespace Registry.Build.Tasks;

[TaskName("Ingress")]
[TaskDescription("Publish the registry over HTTPS at host, sized for large pushes (guide step 11).")]
[IsDependentOn(typeof(CertificateTask))]
[IsDependentOn(typeof(ServiceTask))]
[WritesToCluster]
public sealed class IngressTask(ClusterConnector connector, RegistryDeployment registry) : RegistryObjectsTask(connector, registry)
{
    protected override IEnumerable<IKubernetesObject<V1ObjectMeta>> Objects(RegistryObjectSet objects) => [objects.Ingress];
}
