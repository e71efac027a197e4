using Cake.Core;
using Cake.Core.Diagnostics;
using Registry.Build.Settings;

namespace Registry.Build.Kubernetes;

/// <summary>
/// Polls an object until it is ready, logging each new state as it is seen; fails at once when the object
/// says it cannot get there, and after the timeout with the last state it showed.
/// </summary>
public sealed class ReadinessWaiter(KubernetesApi api, ICakeLog log, TimeSpan pollInterval)
{
    /// <param name="progress">What else to show while waiting, such as a certificate's ACME orders; logged when it changes.</param>
    public async Task<System.Text.Json.Nodes.JsonObject> WaitAsync(
        ResourceAddress address,
        Readiness readiness,
        TimeSpan timeout,
        CancellationToken cancellationToken,
        Func<CancellationToken, Task<string?>>? progress = null)
    {
        var started = DateTimeOffset.UtcNow;
        string? shown = null;
        string? shownProgress = null;
        while (true)
        {
            var live = await api.GetAsync(address, cancellationToken);
            if (progress is not null && await progress(cancellationToken) is { } detail && detail != shownProgress)
            {
                log.Information(detail);
                shownProgress = detail;
            }

            var state = live is null ? ReadinessState.Waiting("does not exist yet") : readiness.Check(live);
            if (state.Description != shown)
            {
                log.Information($"{address}: {state.Description}");
                shown = state.Description;
            }

            if (state.Ready)
            {
                return live!;
            }

            if (state.Failed)
            {
                throw new CakeException($"{address} will not be {readiness.Goal}: {state.Description}.");
            }

            var elapsed = DateTimeOffset.UtcNow - started;
            if (elapsed >= timeout)
            {
                throw new CakeException(
                    $"{address} was not {readiness.Goal} within {Duration.Format(timeout)} (wait-timeout); last seen: {state.Description}.");
            }

            var remaining = timeout - elapsed;
            await Task.Delay(remaining < pollInterval ? remaining : pollInterval, cancellationToken);
        }
    }

    /// <summary>Polls until the object is gone, as a namespace is once Kubernetes has removed what was in it.</summary>
    /// <param name="setting">The setting <paramref name="timeout"/> comes from, named when it runs out.</param>
    public async Task WaitUntilGoneAsync(ResourceAddress address, TimeSpan timeout, string setting, CancellationToken cancellationToken)
    {
        var started = DateTimeOffset.UtcNow;
        var lastShown = started;
        string? shown = null;
        while (await api.GetAsync(address, cancellationToken) is { } live)
        {
            var phase = live["status"]?["phase"]?.GetValue<string>() ?? (live["metadata"]?["deletionTimestamp"] is null ? "not being deleted" : "being deleted");
            if (phase != shown)
            {
                log.Information($"{address}: {phase}");
                (shown, lastShown) = (phase, DateTimeOffset.UtcNow);
            }
            else if (DateTimeOffset.UtcNow - lastShown >= TimeSpan.FromSeconds(10))
            {
                // A namespace can take minutes to empty: show that the wait goes on.
                log.Information($"{address}: still {phase} after {Duration.Format(DateTimeOffset.UtcNow - started)}");
                lastShown = DateTimeOffset.UtcNow;
            }

            if (DateTimeOffset.UtcNow - started >= timeout)
            {
                throw new CakeException($"{address} was not gone within {Duration.Format(timeout)} ({setting}); last seen: {phase}.");
            }

            await Task.Delay(pollInterval, cancellationToken);
        }
    }
}
