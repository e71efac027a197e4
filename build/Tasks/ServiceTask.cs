using k8s;
using k8s.Models;
using Registry.Build.Host;
using Registry.Build.Kubernetes;
using Registry.Build.Registry;

namespace Registry.Build.Tasks;

[TaskName("Service")]
[TaskDescription("Expose the registry inside the cluster on port 5000 (guide step 10).")]
[IsDependentOn(typeof(WorkloadTask))]
[WritesToCluster]
public sealed class ServiceTask(ClusterConnector connector, RegistryDeployment registry) : RegistryObjectsTask(connector, registry)
{
    protected override IEnumerable<IKubernetesObject<V1ObjectMeta>> Objects(RegistryObjectSet objects) => [objects.Service];
}
