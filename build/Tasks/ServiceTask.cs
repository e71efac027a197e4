using Registry.Build.State;
using Registry.Build.Host;
using Registry.Build.Kubernetes;

namespace Registry.Build.Tasks;

[TaskName("Service")]
[TaskDescription("Expose the registry inside the cluster on port 5000 (guide step 10).")]
[IsDependentOn(typeof(WorkloadTask))]
[WritesToCluster]
public sealed class ServiceTask(ClusterConnector connector, RunDesiredState desired) : ApplyObjectsTask(connector, desired);
