using Registry.Build.Host;

namespace Registry.Build.Tasks;

[TaskName("Render")]
[TaskDescription("Write every manifest to the artifacts folder without touching a cluster.")]
[IsDependentOn(typeof(ValidateTask))]
public sealed class RenderTask : FrostingTask<BuildContext>
{
    public override void Run(BuildContext context) => throw StepNotAvailable.Error(this, issue: 5);
}
