using Registry.Build.Host;

namespace Registry.Build.Tasks;

[TaskName("Status")]
[TaskDescription("Show the registry's state and whether it answers.")]
public sealed class StatusTask : FrostingTask<BuildContext>
{
    public override void Run(BuildContext context) => throw StepNotAvailable.Error(this, issue: 6);
}
