using System.Text.Json.Nodes;
using Cake.Common.Diagnostics;
using Registry.Build.Host;
using Registry.Build.Kubernetes;
using Registry.Build.LocalCluster;
using Registry.Build.Prerequisites;
using Registry.Build.Settings;

namespace Registry.Build.Tasks;

[TaskName("GatewayController")]
[TaskDescription("With exposure=gateway, make sure the Gateway API CRDs and gateway-controller serve the GatewayClass: install the pinned ones when missing.")]
[IsDependentOn(typeof(IngressControllerTask))]
[WritesToCluster]
public sealed class GatewayControllerTask(ClusterConnector connector, ClusterHelm helm, WaitPolling polling, LocalDistributions distributions) : AsyncRegistryTask<BuildContext>
{
    public override bool ShouldRun(BuildContext context)
    {
        var settings = context.Settings;
        if (settings.Exposure != Exposure.Gateway)
        {
            return Skip("exposure is ingress");
        }

        if (settings.SharesGateway)
        {
            return Skip($"the shared Gateway {settings.GatewayNamespace}/{settings.GatewayName} is served by its owner's controller");
        }

        var api = connector.ConnectAsync(context.Cancellation).GetAwaiter().GetResult().Api;
        var gatewayClass = api.ReadAsync(ClassAddress(settings), context.Cancellation).GetAwaiter().GetResult();
        return gatewayClass is null || !Readiness.Accepted.Check(gatewayClass).Ready
            || Skip($"GatewayClass {settings.GatewayClassName} is accepted by {gatewayClass["spec"]?["controllerName"]}");
    }

    public override async Task RunAsync(BuildContext context)
    {
        var settings = context.Settings;
        var api = (await connector.ConnectAsync(context.Cancellation)).Api;
        var crds = new GatewayApiCrds(api, context.Log);
        if (await crds.DetectAsync(context.Cancellation) is { } served)
        {
            context.Information($"The cluster serves the Gateway API CRDs of {served.Version}, {served.Channel} channel; they are used as they are (never replaced by this pipeline).");
        }
        else
        {
            await crds.InstallAsync(new Uri(settings.GatewayApiDownloadUrl), settings.WaitTimeout, polling.Interval, context.Cancellation);
        }

        var distribution = await distributions.DetectAsync(settings.IngressClass, context.Cancellation);
        foreach (var release in Charts.GatewayController(settings, distribution))
        {
            await helm.UpgradeInstallAsync(release, settings, context.Cancellation);
        }

        if (settings.GatewayController == GatewayController.Envoy)
        {
            // Envoy Gateway's chart makes no GatewayClass; one names its controller.
            await api.ApplyAsync(ClassAddress(settings), new JsonObject
            {
                ["apiVersion"] = "gateway.networking.k8s.io/v1",
                ["kind"] = "GatewayClass",
                ["metadata"] = new JsonObject
                {
                    ["name"] = settings.GatewayClassName,
                    ["labels"] = new JsonObject { ["app.kubernetes.io/managed-by"] = "registry-pipeline" },
                },
                ["spec"] = new JsonObject { ["controllerName"] = Charts.GatewayControllerNames[GatewayController.Envoy] },
            }, dryRun: false, context.Cancellation);
        }

        await new ReadinessWaiter(api, context.Log, polling.Interval).WaitAsync(ClassAddress(settings), Readiness.Accepted, settings.WaitTimeout, context.Cancellation);
        context.Information($"GatewayClass {settings.GatewayClassName} is accepted by {SettingDefinition.KebabName(settings.GatewayController)}.");
    }

    private static ResourceAddress ClassAddress(RegistrySettings settings) => GatewayApiCrds.GatewayClass(settings.GatewayClassName);
}
