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

    /// <summary>The pods of GarbageCollect's Jobs: while one runs, the registry must stay read-only.</summary>
    public const string PodSelector = "app.kubernetes.io/name=docker-registry-garbage-collect";

    /// <exception cref="StillCollectingException">The run failed while the Job's pod ran, and the pod could not be stopped.</exception>
    public async Task<IReadOnlyList<string>> RunAsync(V1Job job, TimeSpan timeout, CancellationToken cancellationToken)
    {
        var address = ResourceAddress.Of(job);
        await api.CreateAsync(address, ObjectApplier.Desired(job), dryRun: false, cancellationToken);
        log.Information($"{address}: created; its log follows.");
        try
        {
            return await FollowAsync(job, address, timeout, cancellationToken);
        }
        catch (Exception failure) when (failure is not JobFailedException)
        {
            // The run gives up while the pod may still be deleting blobs: it must be gone before anything is pushed.
            if (!await StopAsync(address))
            {
                throw new StillCollectingException(
                    $"{failure.Message} The garbage-collect pod of {address} could not be stopped, so the registry stays read-only: a push while it deletes could lose layers. " +
                    $"Once 'kubectl -n {address.Namespace} get pods -l {PodSelector}' shows none running, run GarbageCollect again, or Deploy to make the registry writable.", failure);
            }

            throw;
        }
    }

    /// <summary>Whether a pod of an earlier GarbageCollect still runs (its runner was stopped): none may start, and no Deploy may make the registry writable.</summary>
    public async Task<string?> RunningPodAsync(string ns, CancellationToken cancellationToken) =>
        (await api.ReadListAsync(ResourceAddress.For<V1Pod>(ns), PodSelector, cancellationToken))["items"]?.AsArray().OfType<JsonObject>()
            .Where(pod => pod["status"]?["phase"]?.GetValue<string>() is not ("Succeeded" or "Failed") && pod["metadata"]?["deletionTimestamp"] is null)
            .Select(pod => pod["metadata"]?["name"]?.GetValue<string>()).FirstOrDefault();

    // Deletes the Job and its pods, and waits until they are gone; false when they are not within two minutes.
    private async Task<bool> StopAsync(ResourceAddress address)
    {
        try
        {
            using var patience = new CancellationTokenSource(TimeSpan.FromMinutes(2));
            await api.DeleteAsync(address, patience.Token, propagation: "Background");
            while (true)
            {
                var pods = (await api.ListAsync(ResourceAddress.For<V1Pod>(address.Namespace), $"batch.kubernetes.io/job-name={address.Name}", patience.Token))["items"]!.AsArray();
                if (pods.Count == 0)
                {
                    log.Information($"{address}: stopped and deleted, with its pod.");
                    return true;
                }

                foreach (var pod in pods.OfType<JsonObject>().Where(pod => pod["metadata"]?["deletionTimestamp"] is null))
                {
                    await api.DeleteAsync(ResourceAddress.For<V1Pod>(address.Namespace, pod["metadata"]!["name"]!.GetValue<string>()), patience.Token);
                }

                await Task.Delay(pollInterval, patience.Token);
            }
        }
        catch (Exception exception) when (exception is OperationCanceledException or KubernetesApiException or HttpRequestException)
        {
            return false;
        }
    }

    private async Task<IReadOnlyList<string>> FollowAsync(V1Job job, ResourceAddress address, TimeSpan timeout, CancellationToken cancellationToken)
    {
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

            if (Condition(live, "Failed"))
            {
                var why = live["status"]?["conditions"]?.AsArray().OfType<JsonObject>().FirstOrDefault(condition => condition["type"]?.GetValue<string>() == "Failed")?["message"]?.GetValue<string>();
                throw new JobFailedException(
                    $"{address} failed{(why is null ? string.Empty : $" ({why})")}. Its last lines:{Environment.NewLine}{string.Join(Environment.NewLine, lines.TakeLast(20).Select(line => "  " + line))}");
            }

            // Not a failure of the Job's own: it is stopped (a pod started later must not collect in a writable registry).
            if (await StuckAsync(address.Namespace!, pod, cancellationToken) is { } stuck)
            {
                throw new CakeException($"{address}: its pod {pod} cannot start: {stuck}.");
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

        // Unschedulable for minutes: on a ReadWriteOnce claim, the registry's node has no room for it.
        if (live["status"]?["conditions"]?.AsArray().OfType<JsonObject>().FirstOrDefault(condition =>
                condition["type"]?.GetValue<string>() == "PodScheduled" && condition["reason"]?.GetValue<string>() == "Unschedulable") is { } unschedulable
            && DateTimeOffset.TryParse(unschedulable["lastTransitionTime"]?.GetValue<string>(), System.Globalization.CultureInfo.InvariantCulture, System.Globalization.DateTimeStyles.AssumeUniversal, out var since)
            && DateTimeOffset.UtcNow - since > TimeSpan.FromMinutes(2))
        {
            return $"Unschedulable ({unschedulable["message"]?.GetValue<string>()})";
        }

        return (live["status"]?["initContainerStatuses"]?.AsArray() ?? []).Concat(live["status"]?["containerStatuses"]?.AsArray() ?? []).OfType<JsonObject>()
            .Select(status => status["state"]?["waiting"]?["reason"]?.GetValue<string>())
            .FirstOrDefault(reason => reason is not null && Stuck.Contains(reason));
    }

    private static bool Condition(JsonObject job, string type) =>
        job["status"]?["conditions"]?.AsArray().OfType<JsonObject>().Any(condition =>
            condition["type"]?.GetValue<string>() == type && condition["status"]?.GetValue<string>() == "True") == true;
}

/// <summary>The Job ended in failure: its pod is done, and the Job stays for its log.</summary>
public sealed class JobFailedException(string message) : Exception(message);

/// <summary>The run failed while garbage-collect may still be deleting: the registry must not take pushes.</summary>
public sealed class StillCollectingException(string message, Exception inner) : Exception(message, inner);
