using k8s;
using k8s.Models;
using Registry.Build.Host;
using Registry.Build.Kubernetes;
using Registry.Build.Registry;

namespace Registry.Build.Tasks;

[TaskName("RegistryConfig")]
[TaskDescription("Write the registry's config.yml ConfigMap (guide step 8).")]
[IsDependentOn(typeof(CredentialsTask))]
[WritesToCluster]
public sealed class RegistryConfigTask(ClusterConnector connector, RegistryDeployment registry) : RegistryObjectsTask(connector, registry)
{
    protected override IEnumerable<IKubernetesObject<V1ObjectMeta>> Objects(RegistryObjectSet objects) => [objects.Config];
}
