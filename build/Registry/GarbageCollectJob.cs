using System.Text.Json.Nodes;
using Cake.Core;
using Cake.Core.Diagnostics;
using k8s.Models;
using Registry.Build.Kubernetes;

namespace Registry.Build.Registry;

/// <summary>
/// Runs GarbageCollect's Job to its end: creates it, prints its pod's log as it grows, and returns the whole log once
/// the Job completes. A Job that fails, a pod that cannot start, or one that outlives its deadline stops the run with
/// the log's last lines.
/// </summary>
public sealed class GarbageCollectJob(KubernetesApi api, ICakeLog log, TimeSpan pollInterval)
{

    // A pod in one of these never starts; waiting for the Job's deadline would only hide why.
    private static readonly HashSet<string> Stuck = ["ErrImagePull", "ImagePullBackOff", "InvalidImageName", "CreateContainerConfigError", "CreateContainerError"];

    public async Task<IReadOnlyList<string>> RunAsync(V1Job job, TimeSpan timeout, CancellationToken cancellationToken)
    {
        var address = ResourceAddress.Of(job);
        await api.CreateAsync(address, ObjectApplier.Desired(job), dryRun: false, cancellationToken);
        log.Information($"{address}: created; its log follows.");
        var lines = new List<string>();
        // Each container's log in the order they run: garbage-collect, then cache-reset when there is one.
        var containers = (job.Spec.Template.Spec.InitContainers ?? []).Concat(job.Spec.Template.Spec.Containers).Select(container => container.Name).ToList();
        var printed = containers.ToDictionary(name => name, _ => 0);
        var started = DateTimeOffset.UtcNow;
        string? pod = null;
        while (true)
        {
            var live = await api.GetAsync(address, cancellationToken)
                ?? throw new CakeException($"{address} was deleted while it ran: the collection may not have finished. Run GarbageCollect again.");
            pod ??= (await api.ListAsync(ResourceAddress.For<V1Pod>(address.Namespace), $"batch.kubernetes.io/job-name={address.Name}", cancellationToken))["items"]?
                .AsArray().OfType<JsonObject>().Select(item => item["metadata"]?["name"]?.GetValue<string>()).FirstOrDefault();
            foreach (var container in pod is null ? [] : containers)
            {
                await FollowAsync(address.Namespace!, pod!, container, printed, lines, cancellationToken);
            }

            if (Condition(live, "Complete"))
            {
                return lines;
            }

            var stuck = await StuckAsync(address.Namespace!, pod, cancellationToken);
            if (Condition(live, "Failed") || stuck is not null)
            {
                var why = stuck is not null ? $"its pod {pod} cannot start: {stuck}"
                    : live["status"]?["conditions"]?.AsArray().OfType<JsonObject>().FirstOrDefault(condition => condition["type"]?.GetValue<string>() == "Failed")?["message"]?.GetValue<string>();
                throw new CakeException(
                    $"{address} failed{(why is null ? string.Empty : $" ({why})")}. Its last lines:{Environment.NewLine}{string.Join(Environment.NewLine, lines.TakeLast(20).Select(line => "  " + line))}");
            }

            // The Job's own activeDeadlineSeconds ends it first; this is for an API server that never says so.
            if (DateTimeOffset.UtcNow - started > timeout + TimeSpan.FromMinutes(1))
            {
                throw new CakeException($"{address} did not finish within gc-timeout ({Settings.Duration.Format(timeout)}). Its pod's log has the details: kubectl -n {address.Namespace} logs job/{address.Name}");
            }

            await Task.Delay(pollInterval, cancellationToken);
        }
    }

    // The log so far; the lines not printed yet are printed now.
    private async Task FollowAsync(string ns, string pod, string container, Dictionary<string, int> printed, List<string> lines, CancellationToken cancellationToken)
    {
        var text = await api.LogAsync(ns, pod, container, null, previous: false, cancellationToken);
        var all = (text ?? string.Empty).Split('\n').Select(line => line.TrimEnd('\r')).ToList();
        if (all.Count > 0 && all[^1].Length == 0)
        {
            all.RemoveAt(all.Count - 1);
        }

        foreach (var line in all.Skip(printed[container]))
        {
            log.Information($"  | {line}");
            lines.Add(line);
        }

        printed[container] = Math.Max(printed[container], all.Count);
    }

    private async Task<string?> StuckAsync(string ns, string? pod, CancellationToken cancellationToken)
    {
        if (pod is null || await api.GetAsync(ResourceAddress.For<V1Pod>(ns, pod), cancellationToken) is not { } live)
        {
            return null;
        }

        return (live["status"]?["initContainerStatuses"]?.AsArray() ?? []).Concat(live["status"]?["containerStatuses"]?.AsArray() ?? []).OfType<JsonObject>()
            .Select(status => status["state"]?["waiting"]?["reason"]?.GetValue<string>())
            .FirstOrDefault(reason => reason is not null && Stuck.Contains(reason));
    }

    private static bool Condition(JsonObject job, string type) =>
        job["status"]?["conditions"]?.AsArray().OfType<JsonObject>().Any(condition =>
            condition["type"]?.GetValue<string>() == type && condition["status"]?.GetValue<string>() == "True") == true;
}
