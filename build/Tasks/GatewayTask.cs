using Registry.Build.Host;
using Registry.Build.Kubernetes;
using Registry.Build.Kubernetes.GatewayApi;
using Registry.Build.Settings;
using Registry.Build.State;

namespace Registry.Build.Tasks;

[TaskName("Gateway")]
[TaskDescription("With exposure=gateway, open the registry's own Gateway (HTTPS for host, HTTP for ACME challenges) before its certificate is requested.")]
[IsDependentOn(typeof(GatewayControllerTask))]
[IsDependentOn(typeof(InventoryTask))]
[WritesToCluster]
public sealed class GatewayTask(ClusterConnector connector, RunDesiredState desired, WaitPolling polling) : ApplyObjectsTask(connector, desired)
{
    /// <summary>The listener ACME http01 challenges come in on; the HTTPS one waits for the certificate this opens the way to.</summary>
    public const string HttpListener = "http";

    public override bool ShouldRun(BuildContext context)
    {
        var settings = context.Settings;
        if (settings.Exposure != Exposure.Gateway)
        {
            return Skip("exposure is ingress");
        }

        if (settings.SharesGateway)
        {
            return Skip($"the registry uses the shared Gateway {Address(settings)}, which is its owner's: the HttpRoute step adds only the registry's route");
        }

        return base.ShouldRun(context) || !Listening(context) || Skip($"{Address(settings)} is programmed on its {HttpListener} listener");
    }

    public override async Task RunAsync(BuildContext context)
    {
        await base.RunAsync(context);
        var settings = context.Settings;
        var api = (await Connector.ConnectAsync(context.Cancellation)).Api;
        await new ReadinessWaiter(api, context.Log, polling.Interval).WaitAsync(Address(settings), Readiness.ListenerProgrammed(HttpListener), settings.WaitTimeout, context.Cancellation);
    }

    private bool Listening(BuildContext context)
    {
        var api = Connector.ConnectAsync(context.Cancellation).GetAwaiter().GetResult().Api;
        var gateway = api.GetAsync(Address(context.Settings), context.Cancellation).GetAwaiter().GetResult();
        return gateway is not null && Readiness.ListenerProgrammed(HttpListener).Check(gateway).Ready;
    }

    private static ResourceAddress Address(RegistrySettings settings) => ResourceAddress.For<Gateway>(settings.GatewayHomeNamespace, settings.GatewayName);
}
