using Registry.Build.Host;
using Registry.Build.Prerequisites;

namespace Registry.Build.Tasks;

[TaskName("Tiller")]
[TaskDescription("Install Tiller, only for a Helm 2 client (guide step 1).")]
[IsDependentOn(typeof(HelmTask))]
public sealed class TillerTask(ClusterPrerequisites prerequisites) : FrostingTask<BuildContext>
{
    public override bool ShouldRun(BuildContext context)
    {
        var charts = prerequisites.ChartsToInstallAsync(context.Settings, context.Cancellation).GetAwaiter().GetResult();
        return charts.Count > 0 || Skip("no chart to install, so no Tiller is needed (and Helm 3+ has no Tiller)");
    }

    public override void Run(BuildContext context) =>
        throw StepNotAvailable.Error(this, issue: 4, "telling a Helm 2 client from Helm 3+, and installing Tiller for Helm 2");
}
