using Cake.Common.Diagnostics;
using Registry.Build.Host;
using Registry.Build.Kubernetes;
using Registry.Build.Kubernetes.GatewayApi;
using Registry.Build.Prerequisites;
using Registry.Build.Settings;
using Registry.Build.State;

namespace Registry.Build.Tasks;

[TaskName("HttpRoute")]
[TaskDescription("With exposure=gateway, route host to the registry through the Gateway, sized for large pushes, and wait until the route is accepted and the Gateway serves its certificate.")]
[IsDependentOn(typeof(IngressTask))]
[WritesToCluster]
public sealed class HttpRouteTask(ClusterConnector connector, RunDesiredState desired, WaitPolling polling, HostResolver resolver) : ApplyObjectsTask(connector, desired)
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
            await waiter.WaitAsync(GatewayOf(settings), Readiness.GatewayProgrammed, settings.WaitTimeout, context.Cancellation);
        }

        await waiter.WaitAsync(Route(settings), Readiness.RouteAccepted(settings.GatewayName, settings.GatewayHomeNamespace), settings.WaitTimeout, context.Cancellation);
        if (settings.WebUiHost is not null)
        {
            await waiter.WaitAsync(ResourceAddress.For<HttpRoute>(settings.Namespace, Declaration.WebUiName), Readiness.RouteAccepted(settings.GatewayName, settings.GatewayHomeNamespace), settings.WaitTimeout, context.Cancellation);
        }
        context.Information($"https://{settings.Host}/ is routed to the registry through {GatewayOf(settings)}.");
        await CheckDnsAsync(context, api);
    }

    /// <summary>
    /// Clients reach the Gateway only once host resolves to one of its addresses. While the registry's Ingress is still
    /// there (a switch from exposure=ingress), the run stops before Prune removes it, so clients are never left with neither.
    /// </summary>
    private async Task CheckDnsAsync(BuildContext context, KubernetesApi api)
    {
        var settings = context.Settings;
        var gateway = await api.GetAsync(GatewayOf(settings), context.Cancellation);
        var addresses = (gateway?["status"]?["addresses"] as System.Text.Json.Nodes.JsonArray ?? []).Select(address => address?["value"]?.GetValue<string>()).OfType<string>().ToList();
        if (settings.HostIsAddress || addresses.Count == 0 || context.Distribution is not null)
        {
            return;
        }

        var resolved = (await resolver.ResolveAsync(settings.Host!, context.Cancellation)).Select(address => address.ToString()).ToList();
        if (resolved.Intersect(addresses).Any())
        {
            context.Information($"{settings.Host} resolves to {string.Join(", ", resolved)}, an address of {GatewayOf(settings)}.");
            return;
        }

        var problem = $"{settings.Host} resolves to {(resolved.Count == 0 ? "nothing" : string.Join(", ", resolved))}, but {GatewayOf(settings)} listens on {string.Join(", ", addresses)}: " +
            $"point the DNS record of {settings.Host} at {addresses[0]}";
        var ingress = await api.ReadAsync(ResourceAddress.For<k8s.Models.V1Ingress>(settings.Namespace, "docker-registry"), context.Cancellation);
        if (ingress is not null && (await Desired.GetAsync(context)).ApplySet.IsMember(ingress))
        {
            throw new Cake.Core.CakeException($"{problem}, then run again. The registry's Ingress is kept until then, so clients still reach it the old way.");
        }

        context.Warning("{0}", problem + ".");
    }

    private bool IsServing(BuildContext context)
    {
        var settings = context.Settings;
        var api = Connector.ConnectAsync(context.Cancellation).GetAwaiter().GetResult().Api;
        var route = api.ReadAsync(Route(settings), context.Cancellation).GetAwaiter().GetResult();
        var gateway = settings.SharesGateway ? null : api.ReadAsync(GatewayOf(settings), context.Cancellation).GetAwaiter().GetResult();
        return route is not null && Readiness.RouteAccepted(settings.GatewayName, settings.GatewayHomeNamespace).Check(route).Ready
            && (settings.SharesGateway || (gateway is not null && Readiness.GatewayProgrammed.Check(gateway).Ready));
    }

    private static ResourceAddress GatewayOf(RegistrySettings settings) =>
        ResourceAddress.For<Gateway>(settings.GatewayHomeNamespace, settings.GatewayName);

    private static ResourceAddress Route(RegistrySettings settings) => ResourceAddress.For<HttpRoute>(settings.Namespace, "docker-registry");
}
