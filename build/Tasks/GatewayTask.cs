using Cake.Common.Diagnostics;
using Cake.Core;
using Registry.Build.Host;
using Registry.Build.Kubernetes;
using Registry.Build.Kubernetes.CertManager;
using Registry.Build.Kubernetes.GatewayApi;
using Registry.Build.Prerequisites;
using Registry.Build.Settings;
using Registry.Build.State;

namespace Registry.Build.Tasks;

[TaskName("Gateway")]
[TaskDescription("With exposure=gateway, open the registry's own Gateway (HTTPS for host, HTTP for ACME challenges) before its certificate is requested.")]
[IsDependentOn(typeof(GatewayControllerTask))]
[IsDependentOn(typeof(InventoryTask))]
[WritesToCluster]
public sealed class GatewayTask(ClusterConnector connector, RunDesiredState desired, WaitPolling polling, HostResolver resolver) : ApplyObjectsTask(connector, desired)
{
    /// <summary>The listener ACME http01 challenges come in on; the HTTPS one waits for the certificate this opens the way to.</summary>
    public const string HttpListener = "http";

    // Read once per run: whether an ACME certificate is still to be issued through this Gateway.
    private bool? challengeAhead;

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

        return base.ShouldRun(context) || !Listening(context) || ChallengeAhead(context)
            || Skip($"{Address(settings)} is programmed on its {HttpListener} listener");
    }

    public override async Task RunAsync(BuildContext context)
    {
        await base.RunAsync(context);
        var settings = context.Settings;
        var api = (await Connector.ConnectAsync(context.Cancellation)).Api;
        await new ReadinessWaiter(api, context.Log, polling.Interval).WaitAsync(Address(settings), Readiness.ListenerProgrammed(HttpListener), settings.WaitTimeout, context.Cancellation);
        if (ChallengeAhead(context))
        {
            await CheckDnsAsync(context, api);
        }
    }

    /// <summary>
    /// Let's Encrypt reaches the challenge through host's DNS record, so before a certificate is requested through the
    /// Gateway, host must resolve to one of its addresses (the Dns step's check, against the Gateway instead of an
    /// ingress controller); else the certificate would hang until wait-timeout.
    /// </summary>
    private async Task CheckDnsAsync(BuildContext context, KubernetesApi api)
    {
        var settings = context.Settings;
        var gateway = await api.GetAsync(Address(settings), context.Cancellation);
        var addresses = (gateway?["status"]?["addresses"] as System.Text.Json.Nodes.JsonArray ?? []).Select(address => address?["value"]?.GetValue<string>()).OfType<string>().ToList();
        var resolved = (await resolver.ResolveAsync(settings.Host!, context.Cancellation)).Select(address => address.ToString()).ToList();
        if (resolved.Intersect(addresses).Any())
        {
            context.Information($"{settings.Host} resolves to {string.Join(", ", resolved)}, an address of {Address(settings)}, where Let's Encrypt's challenge comes in.");
            return;
        }

        var seen = resolved.Count == 0 ? $"{settings.Host} does not resolve" : $"{settings.Host} resolves to {string.Join(", ", resolved)}";
        var problem = addresses.Count == 0
            ? $"{seen}, and {Address(settings)} has no address yet to compare with"
            : $"{seen}, not to {Address(settings)}'s address {addresses[0]}. Create this DNS record: {settings.Host}. {(addresses[0].Contains(':') ? "AAAA" : "A")} {addresses[0]}";
        if (settings.RequireDns)
        {
            throw new CakeException($"{problem}. Let's Encrypt must reach {settings.Host} over this record before it issues a certificate; create it and run again, or set require-dns=false to request the certificate anyway.");
        }

        context.Warning("{0}", problem + ".");
    }

    // An ACME certificate still to be issued: its http01 challenge will come in through this Gateway.
    private bool ChallengeAhead(BuildContext context) => challengeAhead ??= CertificatePending(context);

    private bool CertificatePending(BuildContext context)
    {
        var settings = context.Settings;
        if (!settings.UsesAcme || settings.HostIsAddress || context.Distribution is not null)
        {
            return false;
        }

        var api = Connector.ConnectAsync(context.Cancellation).GetAwaiter().GetResult().Api;
        var certificate = api.ReadAsync(ResourceAddress.For<Certificate>(settings.Namespace, settings.TlsSecret), context.Cancellation).GetAwaiter().GetResult();
        return certificate is null || !Readiness.Ready.Check(certificate).Ready;
    }

    private bool Listening(BuildContext context)
    {
        var api = Connector.ConnectAsync(context.Cancellation).GetAwaiter().GetResult().Api;
        var gateway = api.ReadAsync(Address(context.Settings), context.Cancellation).GetAwaiter().GetResult();
        return gateway is not null && Readiness.ListenerProgrammed(HttpListener).Check(gateway).Ready;
    }

    private static ResourceAddress Address(RegistrySettings settings) => ResourceAddress.For<Gateway>(settings.GatewayHomeNamespace, settings.GatewayName);
}
