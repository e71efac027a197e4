using k8s;
using k8s.Models;
using Registry.Build.Host;
using Registry.Build.Kubernetes;
using Registry.Build.Registry;

namespace Registry.Build.Tasks;

[TaskName("Workload")]
[TaskDescription("Run the registry as a Deployment (the guide's bare Pod, step 9, fixed).")]
[IsDependentOn(typeof(RegistryConfigTask))]
[IsDependentOn(typeof(StorageTask))]
[WritesToCluster]
public sealed class WorkloadTask(ClusterConnector connector, RegistryDeployment registry) : RegistryObjectsTask(connector, registry)
{
    protected override IEnumerable<IKubernetesObject<V1ObjectMeta>> Objects(RegistryObjectSet objects) => [objects.Workload];
}
