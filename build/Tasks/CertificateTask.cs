using System.Text.Json.Nodes;
using k8s;
using k8s.Models;
using Registry.Build.Host;
using Registry.Build.Kubernetes;
using Registry.Build.Settings;
using Registry.Build.State;
using Registry.Build.Tls;

namespace Registry.Build.Tasks;

[TaskName("Certificate")]
[TaskDescription("Request the registry's TLS certificate and wait until it is ready (guide step 6).")]
[IsDependentOn(typeof(IssuerTask))]
[IsDependentOn(typeof(GatewayTask))]
[WritesToCluster]
public sealed class CertificateTask(ClusterConnector connector, RunDesiredState desired, WaitPolling polling) : AsyncRegistryTask<BuildContext>
{
    public override bool ShouldRun(BuildContext context)
    {
        var settings = context.Settings;
        if (settings.Tls == TlsMode.ExistingSecret)
        {
            return Skip($"tls is existing-secret: the registry serves the certificate in {settings.Namespace}/{settings.TlsSecret}");
        }

        var api = connector.ConnectAsync(context.Cancellation).GetAwaiter().GetResult().Api;
        var plan = new ObjectApplier(api, context.Log).PlanAsync(Certificate(context), context.Cancellation).GetAwaiter().GetResult();
        return plan.Action != ApplyAction.Unchanged || !Readiness.Ready.Check(plan.Live!).Ready
            || Skip($"{plan.Address} is Ready for {settings.Host}");
    }

    public override async Task RunAsync(BuildContext context)
    {
        var settings = context.Settings;
        var api = (await connector.ConnectAsync(context.Cancellation)).Api;
        var certificate = Certificate(context);
        await new ObjectApplier(api, context.Log).ApplyAsync(certificate, context.Cancellation);
        await new ReadinessWaiter(api, context.Log, polling.Interval).WaitAsync(
            ResourceAddress.Of(certificate),
            Readiness.Ready,
            settings.WaitTimeout,
            context.Cancellation,
            token => AcmeProgressAsync(api, settings.Namespace, token));
    }

    private IKubernetesObject<V1ObjectMeta> Certificate(BuildContext context) =>
        desired.GetAsync(context).GetAwaiter().GetResult().Of<CertificateTask>().Single();

    // The debugging chain the guide's author followed by hand: Certificate -> Order -> Challenge.
    private static async Task<string?> AcmeProgressAsync(KubernetesApi api, string ns, CancellationToken cancellationToken)
    {
        var lines = new List<string>();
        foreach (var (plural, kind) in new[] { ("orders", "Order"), ("challenges", "Challenge") })
        {
            var list = await api.ListAsync(new ResourceAddress("acme.cert-manager.io", "v1", plural, kind, ns, string.Empty), null, cancellationToken);
            foreach (var item in list["items"]?.AsArray().OfType<JsonObject>() ?? [])
            {
                var state = item["status"]?["state"]?.GetValue<string>() ?? "pending";
                var reason = item["status"]?["reason"]?.GetValue<string>();
                lines.Add($"{kind} {item["metadata"]!["name"]}: {state}{(string.IsNullOrEmpty(reason) ? string.Empty : $" ({reason})")}");
            }
        }

        return lines.Count == 0 ? null : string.Join("; ", lines);
    }
}
