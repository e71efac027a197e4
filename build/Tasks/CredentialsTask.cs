using Registry.Build.State;
using Registry.Build.Host;
using Registry.Build.Kubernetes;

namespace Registry.Build.Tasks;

[TaskName("Credentials")]
[TaskDescription("Write the htpasswd Secret of bcrypt hashes (guide step 7); without a new password, the cluster's entry stands.")]
[IsDependentOn(typeof(InventoryTask))]
[WritesToCluster]
public sealed class CredentialsTask(ClusterConnector connector, RunDesiredState desired) : ApplyObjectsTask(connector, desired);
