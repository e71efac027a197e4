using Registry.Build.State;
using Registry.Build.Host;
using Registry.Build.Kubernetes;

namespace Registry.Build.Tasks;

[TaskName("RegistryConfig")]
[TaskDescription("Write the registry's config.yml ConfigMap (guide step 8).")]
[IsDependentOn(typeof(PullSecretsTask))]
[WritesToCluster]
public sealed class RegistryConfigTask(ClusterConnector connector, RunDesiredState desired) : ApplyObjectsTask(connector, desired);
