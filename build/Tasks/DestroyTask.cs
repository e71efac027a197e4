using Registry.Build.Host;

namespace Registry.Build.Tasks;

[TaskName("Destroy")]
[TaskDescription("Remove what Deploy created (only with --confirm=true).")]
public sealed class DestroyTask : FrostingTask<BuildContext>
{
    public override void Run(BuildContext context) => throw StepNotAvailable.Error(this, issue: 7);
}
