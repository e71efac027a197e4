using k8s;
using k8s.Models;
using Registry.Build.Host;
using Registry.Build.Kubernetes;
using Registry.Build.Registry;

namespace Registry.Build.Tasks;

[TaskName("Credentials")]
[TaskDescription("Write the htpasswd Secret of bcrypt hashes, keeping a hash that still matches (guide step 7).")]
[IsDependentOn(typeof(NamespaceTask))]
[WritesToCluster]
public sealed class CredentialsTask(ClusterConnector connector, RegistryDeployment registry) : RegistryObjectsTask(connector, registry)
{
    protected override IEnumerable<IKubernetesObject<V1ObjectMeta>> Objects(RegistryObjectSet objects) => objects.Secrets;
}
