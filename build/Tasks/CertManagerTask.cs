using System.Text.Json.Nodes;
using Cake.Common.Diagnostics;
using Cake.Core;
using Registry.Build.Host;
using Registry.Build.Kubernetes;
using Registry.Build.Prerequisites;
using Registry.Build.Settings;

namespace Registry.Build.Tasks;

[TaskName("CertManager")]
[TaskDescription("Install cert-manager and wait until its webhook answers (guide step 4); with exposure=gateway, with its Gateway API support on.")]
[IsDependentOn(typeof(TillerTask))]
[WritesToCluster]
public sealed class CertManagerTask(ClusterPrerequisites prerequisites, ClusterHelm helm, ClusterConnector connector, WaitPolling polling, InstalledCharts charts)
    : AsyncRegistryTask<BuildContext>
{
    public override bool ShouldRun(BuildContext context)
    {
        var settings = context.Settings;
        var state = prerequisites.CertManagerAsync(context.Cancellation).GetAwaiter().GetResult();
        if (!state.Installed)
        {
            return true;
        }

        if (settings.Exposure != Exposure.Gateway || state.GatewayApi)
        {
            return Skip(state.Describe() + (settings.Exposure == Exposure.Gateway ? ", with Gateway API support" : string.Empty));
        }

        // Someone else's cert-manager is theirs to configure; only ACME through the Gateway needs its Gateway support.
        return OwnsRelease(context) || settings.UsesAcme
            || Skip(state.Describe() + ", without Gateway API support, which only ACME through the Gateway would need");
    }

    public override async Task RunAsync(BuildContext context)
    {
        var settings = context.Settings;
        var before = await prerequisites.CertManagerAsync(context.Cancellation);
        var release = Charts.CertManager(settings);
        var own = OwnsRelease(context);
        if (before.Installed && !own)
        {
            // Refused before any write when the run starts; the cluster changed since.
            throw new CakeException($"The cert-manager in {before.Controller?.Namespace} runs without Gateway API support, and this pipeline did not install it, so it does not change it.");
        }

        // cert-manager reads its configuration and looks for the Gateway API at start only: started with Gateway API
        // support before the CRDs were there, it crashes until restarted; and its chart does not restart it when its
        // configuration changes. Helm would wait in vain for a crashing controller, so that one is restarted first.
        var api = (await connector.ConnectAsync(context.Cancellation)).Api;
        var gateway = settings.Exposure == Exposure.Gateway;
        if (gateway && own && before is { Controller: { } crashed, GatewayApi: true, Installed: false })
        {
            await RestartAsync(context, api, crashed, "it started before the Gateway API CRDs were there");
        }

        await helm.UpgradeInstallAsync(release, settings, context.Cancellation);
        var state = await prerequisites.CertManagerAsync(context.Cancellation, fresh: true);
        if (gateway && before is { Controller: not null, GatewayApi: false } && state.Controller is { } controller)
        {
            await RestartAsync(context, api, controller, "it reads its new configuration, with Gateway API support, at start only");
            state = await prerequisites.CertManagerAsync(context.Cancellation, fresh: true);
        }

        if (!state.Installed)
        {
            throw new CakeException($"The cert-manager chart was installed, but {state.Describe()}.");
        }

        await CertManagerWebhook.WaitUntilAnsweringAsync(api, context.Log, settings, polling.Interval, context.Cancellation);
    }

    // What kubectl rollout restart does: a new pod template, so new pods; applied as a field of the pipeline's own.
    private async Task RestartAsync(BuildContext context, KubernetesApi api, ResourceAddress controller, string why)
    {
        var restart = new JsonObject
        {
            ["apiVersion"] = "apps/v1",
            ["kind"] = "Deployment",
            ["metadata"] = new JsonObject { ["name"] = controller.Name, ["namespace"] = controller.Namespace },
            ["spec"] = new JsonObject
            {
                ["template"] = new JsonObject
                {
                    ["metadata"] = new JsonObject { ["annotations"] = new JsonObject { ["kubectl.kubernetes.io/restartedAt"] = DateTimeOffset.UtcNow.ToString("yyyy-MM-ddTHH:mm:ssZ") } },
                },
            },
        };
        await api.ApplyAsync(controller, restart, dryRun: false, context.Cancellation, RestartFieldManager);
        context.Information($"Restarted {controller}: {why}.");
        await new ReadinessWaiter(api, context.Log, polling.Interval).WaitAsync(controller, Readiness.RolledOut, context.Settings.WaitTimeout, context.Cancellation);
    }

    private const string RestartFieldManager = "registry-pipeline-restart";

    private bool OwnsRelease(BuildContext context) =>
        charts.OwnsAsync(context.Settings, Charts.CertManager(context.Settings), context.Cancellation).GetAwaiter().GetResult();
}
