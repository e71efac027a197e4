using Cake.Common.Diagnostics;
using k8s.Models;
using Registry.Build.Diagnostics;
using Registry.Build.Host;
using Registry.Build.Kubernetes;

namespace Registry.Build.Tasks;

[TaskName("Status")]
[TaskDescription("Show the registry's state and whether it answers.")]
public sealed class StatusTask(ClusterConnector connector) : AsyncFrostingTask<BuildContext>
{
    public override async Task RunAsync(BuildContext context)
    {
        var settings = context.Settings;
        var api = (await connector.ConnectAsync(context.Cancellation)).Api;
        var deployment = await api.GetAsync(ResourceAddress.For<V1Deployment>(settings.Namespace, "docker-registry"), context.Cancellation);
        var lines = new List<string>
        {
            deployment is null
                ? $"Deployment {settings.Namespace}/docker-registry: not deployed"
                : $"Deployment {settings.Namespace}/docker-registry: {Readiness.RolledOut.Check(deployment).Description}",
        };
        if (deployment is not null)
        {
            var (status, challenge) = await api.ProxyGetAsync(settings.Namespace, "docker-registry", 5000, "/v2/", context.Cancellation);
            lines.Add(status == 401 && challenge?.StartsWith("Basic", StringComparison.OrdinalIgnoreCase) == true
                ? "/v2/ through the service proxy: 401 with a Basic challenge (it answers and asks for a login)"
                : $"/v2/ through the service proxy: {status} (expected 401 with a Basic challenge)");
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
    }
}
