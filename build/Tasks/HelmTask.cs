using Registry.Build.Host;
using Registry.Build.Prerequisites;
using Registry.Build.Tools.Helm;
using Registry.Build.Workspace;

namespace Registry.Build.Tasks;

[TaskName("Helm")]
[TaskDescription("Find the Helm client, or download and verify the pinned release (guide step 1).")]
[IsDependentOn(typeof(ValidateTask))]
public sealed class HelmTask(ClusterPrerequisites prerequisites, HelmLocator locator, HelmInstallation installation, ToolsDirectory tools) : AsyncRegistryTask<BuildContext>
{
    // Helm is needed only to install a chart; a cluster that has its ingress controller and cert-manager
    // needs no helm binary on the runner at all.
    public override bool ShouldRun(BuildContext context)
    {
        var charts = prerequisites.ChartsToInstallAsync(context.Settings, context.Cancellation).GetAwaiter().GetResult();
        return charts.Count > 0 || Skip("no chart to install, so no Helm client is needed");
    }

    public override async Task RunAsync(BuildContext context) =>
        installation.Client = await locator.FindOrInstallAsync(context.Settings, tools.Path, context.Cancellation);
}
