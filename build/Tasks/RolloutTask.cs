using Cake.Common.Diagnostics;
using Cake.Core;
using k8s.Models;
using Registry.Build.Host;
using Registry.Build.Kubernetes;

namespace Registry.Build.Tasks;

[TaskName("Rollout")]
[TaskDescription("Wait until the registry is rolled out and answers on /v2/.")]
[IsDependentOn(typeof(PruneTask))]
public sealed class RolloutTask(ClusterConnector connector, WaitPolling polling) : AsyncRegistryTask<BuildContext>
{
    private const string Name = "docker-registry";
    private const int Port = 5000;

    public override bool ShouldRun(BuildContext context)
    {
        var api = connector.ConnectAsync(context.Cancellation).GetAwaiter().GetResult().Api;
        var deployment = api.ReadAsync(Address(context), context.Cancellation).GetAwaiter().GetResult();
        if (deployment is null || !Readiness.RolledOut.Check(deployment).Ready)
        {
            return true;
        }

        var (status, challenge) = AnswerAsync(api, context.Settings.Namespace, context.Cancellation).GetAwaiter().GetResult();
        return !AsksForLogin(status, challenge)
            || Skip($"the registry is rolled out and answers /v2/ with 401 and a Basic challenge");
    }

    /// <summary>What the registry answers on /v2/ through the service proxy: read ahead when the run began, asked again once it has written anything.</summary>
    public static Task<(int Status, string? Challenge)> AnswerAsync(KubernetesApi api, string ns, CancellationToken cancellationToken) =>
        api.ReadProxyAsync(ns, Name, Port, "/v2/", cancellationToken);

    public override async Task RunAsync(BuildContext context)
    {
        var settings = context.Settings;
        var api = (await connector.ConnectAsync(context.Cancellation)).Api;
        await new ReadinessWaiter(api, context.Log, polling.Interval).WaitAsync(Address(context), Readiness.RolledOut, settings.WaitTimeout, context.Cancellation);

        // Through the API server's service proxy, so this works from any runner, whatever the DNS or ingress.
        var started = DateTimeOffset.UtcNow;
        while (true)
        {
            var (status, challenge) = await api.ProxyGetAsync(settings.Namespace, Name, Port, "/v2/", context.Cancellation);
            if (AsksForLogin(status, challenge))
            {
                context.Information($"The registry answers /v2/ with 401 and a Basic challenge ({challenge}).");
                return;
            }

            if (DateTimeOffset.UtcNow - started >= settings.WaitTimeout)
            {
                throw new CakeException(
                    $"The registry is rolled out but /v2/ through the service {settings.Namespace}/{Name}:{Port} answered {status}" +
                    $"{(challenge is null ? string.Empty : $" ({challenge})")}, not 401 with a Basic challenge, within {Settings.Duration.Format(settings.WaitTimeout)}. " +
                    "Check the registry's log and its config.yml (auth.htpasswd).");
            }

            await Task.Delay(polling.Interval, context.Cancellation);
        }
    }

    private static bool AsksForLogin(int status, string? challenge) =>
        status == 401 && challenge?.StartsWith("Basic", StringComparison.OrdinalIgnoreCase) == true;

    private static ResourceAddress Address(BuildContext context) => ResourceAddress.For<V1Deployment>(context.Settings.Namespace, Name);
}
