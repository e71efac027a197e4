using Cake.Core;
using Registry.Build.Host;
using Registry.Build.Kubernetes;
using Registry.Build.Prerequisites;

namespace Registry.Build.Tasks;

[TaskName("CertManager")]
[TaskDescription("Install cert-manager and wait until its webhook answers (guide step 4).")]
[IsDependentOn(typeof(TillerTask))]
[WritesToCluster]
public sealed class CertManagerTask(ClusterPrerequisites prerequisites, ClusterHelm helm, ClusterConnector connector, WaitPolling polling)
    : AsyncRegistryTask<BuildContext>
{
    public override bool ShouldRun(BuildContext context)
    {
        var state = prerequisites.CertManagerAsync(context.Cancellation).GetAwaiter().GetResult();
        return !state.Installed || Skip(state.Describe());
    }

    public override async Task RunAsync(BuildContext context)
    {
        var settings = context.Settings;
        await helm.UpgradeInstallAsync(Charts.CertManager(settings), settings, context.Cancellation);
        var state = await prerequisites.CertManagerAsync(context.Cancellation);
        if (!state.Installed)
        {
            throw new CakeException($"The cert-manager chart was installed, but {state.Describe()}.");
        }

        var api = (await connector.ConnectAsync(context.Cancellation)).Api;
        await CertManagerWebhook.WaitUntilAnsweringAsync(api, context.Log, settings, polling.Interval, context.Cancellation);
    }
}
