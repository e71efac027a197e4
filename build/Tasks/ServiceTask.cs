using Registry.Build.Host;

namespace Registry.Build.Tasks;

[TaskName("Service")]
[TaskDescription("Expose the registry inside the cluster on port 5000 (guide step 10).")]
[IsDependentOn(typeof(WorkloadTask))]
public sealed class ServiceTask : FrostingTask<BuildContext>
{
    public override void Run(BuildContext context) => throw StepNotAvailable.Error(this, issue: 5);
}
