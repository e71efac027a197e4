using Registry.Build.Host;

namespace Registry.Build.Tasks;

[TaskName("IngressController")]
[TaskDescription("Make sure an ingress controller serves the ingress class (guide step 2).")]
[IsDependentOn(typeof(TillerTask))]
public sealed class IngressControllerTask : FrostingTask<BuildContext>
{
    public override void Run(BuildContext context) => throw StepNotAvailable.Error(this, issue: 4);
}
