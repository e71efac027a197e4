using k8s;
using k8s.Models;
using Registry.Build.Kubernetes;
using Registry.Build.Registry;

namespace Registry.Build.Tasks;

/// <summary>A step that applies some of the registry's own objects, worked out once per run.</summary>
public abstract class RegistryObjectsTask(ClusterConnector connector, RegistryDeployment registry) : ApplyObjectsTask(connector)
{
    protected abstract IEnumerable<IKubernetesObject<V1ObjectMeta>> Objects(RegistryObjectSet objects);

    protected sealed override async Task<IEnumerable<IKubernetesObject<V1ObjectMeta>>> ObjectsAsync(BuildContext context) =>
        Objects(await registry.ObjectsAsync(context));
}
