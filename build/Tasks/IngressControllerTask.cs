using Cake.Core;
using Registry.Build.Host;
using Registry.Build.Prerequisites;
using Registry.Build.Settings;

namespace Registry.Build.Tasks;

[TaskName("IngressController")]
[TaskDescription("Make sure an ingress controller serves the ingress class (guide step 2).")]
[IsDependentOn(typeof(TillerTask))]
public sealed class IngressControllerTask(ClusterPrerequisites prerequisites) : FrostingTask<BuildContext>
{
    private IngressControllerState? state;

    public override bool ShouldRun(BuildContext context)
    {
        state = prerequisites.IngressControllerAsync(context.Settings.IngressClass, context.Cancellation).GetAwaiter().GetResult();
        return !state.Ready || Skip(state.Describe());
    }

    public override void Run(BuildContext context)
    {
        if (context.Settings.IngressController == IngressController.Existing)
        {
            throw new CakeException(
                $"ingress-controller is existing, but {state!.Describe()}. Install an ingress controller for class " +
                $"{context.Settings.IngressClass}, set ingress-class to the class the cluster has, or set ingress-controller to nginx or traefik to let the pipeline install one.");
        }

        throw StepNotAvailable.Error(this, issue: 4, $"installing the {SettingDefinition.KebabName(context.Settings.IngressController)} controller's chart, because {state!.Describe()}");
    }
}
