using Registry.Build.State;
using Registry.Build.Host;
using Registry.Build.Kubernetes;

namespace Registry.Build.Tasks;

[TaskName("Workload")]
[TaskDescription("Run the registry as a Deployment (the guide's bare Pod, step 9, fixed).")]
[IsDependentOn(typeof(RegistryConfigTask))]
[IsDependentOn(typeof(StorageTask))]
[WritesToCluster]
public sealed class WorkloadTask(ClusterConnector connector, RunDesiredState desired) : ApplyObjectsTask(connector, desired);
