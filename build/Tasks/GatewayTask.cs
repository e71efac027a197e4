using Cake.Common.Diagnostics;
using Registry.Build.Host;
using Registry.Build.Kubernetes;
using Registry.Build.Kubernetes.GatewayApi;
using Registry.Build.Settings;
using Registry.Build.State;

namespace Registry.Build.Tasks;

[TaskName("Gateway")]
[TaskDescription("With exposure=gateway, publish the registry through a Gateway API Gateway and HTTPRoute, sized for large pushes, and wait until they are programmed.")]
[IsDependentOn(typeof(IngressTask))]
[WritesToCluster]
public sealed class GatewayTask(ClusterConnector connector, RunDesiredState desired, WaitPolling polling) : ApplyObjectsTask(connector, desired)
{
    public override bool ShouldRun(BuildContext context)
    {
        if (context.Settings.Exposure != Exposure.Gateway)
        {
            return Skip("exposure is ingress");
        }

        return base.ShouldRun(context) || !IsServing(context) || Skip($"HTTPRoute {context.Settings.Namespace}/docker-registry is accepted on {GatewayOf(context.Settings)}");
    }

    public override async Task RunAsync(BuildContext context)
    {
        await base.RunAsync(context);
        var settings = context.Settings;
        var api = (await Connector.ConnectAsync(context.Cancellation)).Api;
        var waiter = new ReadinessWaiter(api, context.Log, polling.Interval);
        if (!settings.SharesGateway)
        {
            await waiter.WaitAsync(Gateway(settings), Readiness.GatewayProgrammed, settings.WaitTimeout, context.Cancellation);
        }

        await waiter.WaitAsync(Route(settings), Readiness.RouteAccepted(settings.GatewayName, GatewayOf(settings).Namespace!), settings.WaitTimeout, context.Cancellation);
        context.Information($"https://{settings.Host}/ is routed to the registry through {GatewayOf(settings)}.");
    }

    private bool IsServing(BuildContext context)
    {
        var settings = context.Settings;
        var api = Connector.ConnectAsync(context.Cancellation).GetAwaiter().GetResult().Api;
        var route = api.GetAsync(Route(settings), context.Cancellation).GetAwaiter().GetResult();
        var gateway = settings.SharesGateway ? null : api.GetAsync(Gateway(settings), context.Cancellation).GetAwaiter().GetResult();
        return route is not null && Readiness.RouteAccepted(settings.GatewayName, GatewayOf(settings).Namespace!).Check(route).Ready
            && (settings.SharesGateway || (gateway is not null && Readiness.GatewayProgrammed.Check(gateway).Ready));
    }

    private static ResourceAddress GatewayOf(RegistrySettings settings) =>
        ResourceAddress.For<Gateway>(settings.GatewayNamespace ?? settings.Namespace, settings.GatewayName);

    private static ResourceAddress Gateway(RegistrySettings settings) => ResourceAddress.For<Gateway>(settings.Namespace, settings.GatewayName);

    private static ResourceAddress Route(RegistrySettings settings) => ResourceAddress.For<HttpRoute>(settings.Namespace, "docker-registry");
}
