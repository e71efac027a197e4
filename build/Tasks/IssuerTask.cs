using Cake.Common.Diagnostics;
using Cake.Core;
using Registry.Build.Host;
using Registry.Build.Kubernetes;
using Registry.Build.Settings;
using Registry.Build.State;
using Registry.Build.Tls;

namespace Registry.Build.Tasks;

[TaskName("Issuer")]
[TaskDescription("Create the certificate issuer: Let's Encrypt ACME, or a self-signed CA (guide step 5).")]
[IsDependentOn(typeof(DnsTask))]
[IsDependentOn(typeof(CertManagerTask))]
[IsDependentOn(typeof(InventoryTask))]
[WritesToCluster]
public sealed class IssuerTask(ClusterConnector connector, RunDesiredState desired, WaitPolling polling) : AsyncRegistryTask<BuildContext>
{
    private string? existingSecretProblem;

    public override bool ShouldRun(BuildContext context) => ShouldRunAsync(context).GetAwaiter().GetResult();

    public override async Task RunAsync(BuildContext context)
    {
        var settings = context.Settings;
        if (settings.Tls == TlsMode.ExistingSecret)
        {
            throw new CakeException(existingSecretProblem!);
        }

        var cluster = await connector.ConnectAsync(context.Cancellation);
        var applier = new ObjectApplier(cluster.Api, context.Log);
        var waiter = new ReadinessWaiter(cluster.Api, context.Log, polling.Interval);
        foreach (var item in (await desired.GetAsync(context)).Of<IssuerTask>())
        {
            // Each object waits for the one before it: the CA Issuer signs nothing until the CA certificate exists.
            await applier.ApplyAsync(item, context.Cancellation);
            await waiter.WaitAsync(ResourceAddress.Of(item), Readiness.Ready, settings.WaitTimeout, context.Cancellation);
        }

        if (settings.Tls == TlsMode.Selfsigned)
        {
            var certificate = await PrivateCa.ReadAsync(cluster.Api, settings, context.Cancellation, fresh: true) ?? throw PrivateCa.NotIssued(settings);
            var instructions = PrivateCa.Export(settings, certificate);
            context.Information(instructions);
        }
    }

    private async Task<bool> ShouldRunAsync(BuildContext context)
    {
        var settings = context.Settings;
        var api = (await connector.ConnectAsync(context.Cancellation)).Api;
        if (settings.Tls == TlsMode.ExistingSecret)
        {
            existingSecretProblem = await ExistingCertificate.ProblemAsync(api, settings, context.Cancellation);
            return existingSecretProblem is not null
                || Skip($"tls is existing-secret: {settings.Namespace}/{settings.TlsSecret} holds a certificate valid now for {settings.Host}, so no issuer is needed");
        }

        var applier = new ObjectApplier(api, context.Log);
        var chain = (await desired.GetAsync(context)).Of<IssuerTask>();
        foreach (var item in chain)
        {
            var plan = await applier.PlanAsync(item, context.Cancellation);
            if (plan.Action != ApplyAction.Unchanged || !Readiness.Ready.Check(plan.Live!).Ready)
            {
                return true;
            }
        }

        if (settings.Tls == TlsMode.Selfsigned
            && (await PrivateCa.ReadAsync(api, settings, context.Cancellation) is not { } certificate || !PrivateCa.IsExported(settings, certificate)))
        {
            return true;
        }

        return Skip($"{string.Join(", ", chain.Select(item => ResourceAddress.Of(item).ToString()))} {(chain.Count == 1 ? "is" : "are")} Ready"
            + (settings.Tls == TlsMode.Selfsigned ? $", and the CA certificate is in {PrivateCa.ExportPath(settings).FullPath}" : string.Empty));
    }
}
