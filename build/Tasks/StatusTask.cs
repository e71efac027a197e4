using Cake.Common.Diagnostics;
using Cake.Core;
using k8s.Models;
using Registry.Build.Diagnostics;
using Registry.Build.Host;
using Registry.Build.Kubernetes;
using Registry.Build.Settings;
using Registry.Build.Tls;

namespace Registry.Build.Tasks;

[TaskName("Status")]
[TaskDescription("Show the registry's state; exit 0 only when it is rolled out, its certificate is ready and /v2/ asks for a login.")]
public sealed class StatusTask(ClusterConnector connector) : AsyncRegistryTask<BuildContext>
{
    public override async Task RunAsync(BuildContext context)
    {
        var settings = context.Settings;
        var api = (await connector.ConnectAsync(context.Cancellation)).Api;
        var lines = new List<string>();
        var problems = new List<string>();
        void Check(string what, string? problem, string healthy)
        {
            lines.Add($"{what}: {problem ?? healthy}");
            if (problem is not null)
            {
                problems.Add($"{what}: {problem}");
            }
        }

        var deployment = await api.GetAsync(ResourceAddress.For<V1Deployment>(settings.Namespace, "docker-registry"), context.Cancellation);
        var rollout = deployment is null ? null : Readiness.RolledOut.Check(deployment);
        Check($"Deployment {settings.Namespace}/docker-registry", rollout is null ? "not deployed" : rollout.Ready ? null : rollout.Description, rollout?.Description ?? string.Empty);

        if (settings.Tls == TlsMode.ExistingSecret)
        {
            Check($"Secret {settings.Namespace}/{settings.TlsSecret}", await ExistingCertificate.ProblemAsync(api, settings, context.Cancellation), "holds a certificate valid now for the host");
        }
        else
        {
            var certificate = await api.GetAsync(ResourceAddress.For<Kubernetes.CertManager.Certificate>(settings.Namespace, settings.TlsSecret), context.Cancellation);
            var ready = certificate is null ? null : Readiness.Ready.Check(certificate);
            Check($"Certificate {settings.Namespace}/{settings.TlsSecret}", ready is null ? "missing" : ready.Ready ? null : ready.Description, "Ready");
        }

        if (settings.Exposure == Settings.Exposure.Gateway)
        {
            var route = await api.GetAsync(ResourceAddress.For<Kubernetes.GatewayApi.HttpRoute>(settings.Namespace, "docker-registry"), context.Cancellation);
            var accepted = route is null ? null : Readiness.RouteAccepted(settings.GatewayName, settings.GatewayHomeNamespace).Check(route);
            Check($"HTTPRoute {settings.Namespace}/docker-registry", accepted is null ? "missing" : accepted.Ready ? null : accepted.Description,
                $"accepted by Gateway {settings.GatewayHomeNamespace}/{settings.GatewayName}");
        }

        // Through the API server's service proxy: it answers only when the Service exists and has a ready pod behind it.
        var (status, challenge) = await api.ProxyGetAsync(settings.Namespace, "docker-registry", 5000, "/v2/", context.Cancellation);
        var asksForLogin = status == 401 && challenge?.StartsWith("Basic", StringComparison.OrdinalIgnoreCase) == true;
        Check("/v2/ through the service proxy", asksForLogin ? null : $"{status} (expected 401 with a Basic challenge)", "401 with a Basic challenge (it answers and asks for a login)");

        if (settings.WebUi)
        {
            var ui = await api.GetAsync(ResourceAddress.For<V1Deployment>(settings.Namespace, State.Declaration.WebUiName), context.Cancellation);
            var uiRollout = ui is null ? null : Readiness.RolledOut.Check(ui);
            Check($"Deployment {settings.Namespace}/{State.Declaration.WebUiName}", uiRollout is null ? "not deployed" : uiRollout.Ready ? null : uiRollout.Description, uiRollout?.Description ?? string.Empty);
            var (uiStatus, _) = await api.ProxyGetAsync(settings.Namespace, State.Declaration.WebUiName, 80, "/", context.Cancellation);
            Check("the web UI's / through the service proxy", uiStatus == 200 ? null : $"{uiStatus} (expected 200)", "200 (it answers)");
        }

        if (settings.RegistryAddress is { } url)
        {
            lines.Add($"registry URL: {url}");
        }

        lines.AddRange(await ClusterDiagnostics.CollectAsync(api, settings, settings.Artifacts.Combine("diagnostics").FullPath, context.Cancellation));
        foreach (var line in lines)
        {
            context.Information(line);
        }

        if (problems.Count > 0)
        {
            throw new CakeException($"The registry is not healthy: {string.Join("; ", problems)}.");
        }
    }
}
