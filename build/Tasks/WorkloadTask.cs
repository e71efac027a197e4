using Registry.Build.Host;

namespace Registry.Build.Tasks;

[TaskName("Workload")]
[TaskDescription("Run the registry as a Deployment (the guide's bare Pod, step 9, fixed).")]
[IsDependentOn(typeof(RegistryConfigTask))]
[IsDependentOn(typeof(StorageTask))]
public sealed class WorkloadTask : FrostingTask<BuildContext>
{
    public override void Run(BuildContext context) => throw StepNotAvailable.Error(this, issue: 5);
}
