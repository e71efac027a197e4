using k8s;
using k8s.Models;
using Registry.Build.Host;
using Registry.Build.Kubernetes;
using Registry.Build.Manifests;

namespace Registry.Build.Tasks;

[TaskName("Namespace")]
[TaskDescription("Create the registry's namespace, labelled as managed by this pipeline.")]
[IsDependentOn(typeof(ValidateTask))]
[WritesToCluster]
public sealed class NamespaceTask(ClusterConnector connector, ManifestTemplates templates) : ApplyObjectsTask(connector)
{
    protected override Task<IEnumerable<IKubernetesObject<V1ObjectMeta>>> ObjectsAsync(BuildContext context) =>
        Task.FromResult<IEnumerable<IKubernetesObject<V1ObjectMeta>>>([templates.Load<V1Namespace>("namespace.yaml", ManifestValues.From(context.Settings))]);
}
