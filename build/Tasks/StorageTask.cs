using Registry.Build.Host;

namespace Registry.Build.Tasks;

[TaskName("Storage")]
[TaskDescription("Create the PersistentVolumeClaim the images live on (the guide's emptyDir lost them).")]
[IsDependentOn(typeof(NamespaceTask))]
public sealed class StorageTask : FrostingTask<BuildContext>
{
    public override void Run(BuildContext context) => throw StepNotAvailable.Error(this, issue: 5);
}
