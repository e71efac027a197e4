using System.Collections.Concurrent;
using System.Text.Json.Nodes;

namespace Registry.Build.Tests.Fixtures.Kubernetes;

/// <summary>
/// The Job controller and the kubelet that runs its pod, as far as a run-once Job goes (backoffLimit 0): a Job gets one
/// pod, labelled as the Job controller labels it and owned by the Job; the node runs its container through
/// <see cref="ControllerBehaviour.Runtime"/>, its output is the pod's log, and the exit code makes the pod Succeeded
/// or Failed and the Job Complete or Failed with the conditions Kubernetes 1.31+ sets.
/// </summary>
public sealed class EmulatedJobController(ObjectStore store, ControllerBehaviour behaviour, ConcurrentDictionary<(string Namespace, string Pod, string Container), string> podLogs)
{
    private static readonly ResourceType Job = ResourceCatalogue.OfKind("batch/v1", "Job");
    private static readonly ResourceType Pod = ResourceCatalogue.OfKind("v1", "Pod");
    private readonly ConcurrentDictionary<string, Task> running = new();

    public void Reconcile(string ns, string name, JsonObject job)
    {
        if (job["metadata"]?["uid"]?.GetValue<string>() is not { } uid || job["status"]?["startTime"] is not null)
        {
            return;
        }

        var now = DateTimeOffset.UtcNow.ToString("yyyy-MM-ddTHH:mm:ssZ");
        store.Mutate(Job, ns, name, item => item["status"] = new JsonObject { ["startTime"] = now, ["active"] = 1 });
        var template = job["spec"]!["template"]!;
        var podName = $"{name}-{uid[..5]}";
        var labels = (template["metadata"]?["labels"]?.DeepClone() as JsonObject) ?? [];
        labels["batch.kubernetes.io/controller-uid"] = uid;
        labels["batch.kubernetes.io/job-name"] = name;
        labels["controller-uid"] = uid;
        labels["job-name"] = name;
        var spec = template["spec"]!.DeepClone().AsObject();
        spec["nodeName"] = EmulatedNode.Name;
        var pod = new JsonObject
        {
            ["apiVersion"] = "v1",
            ["kind"] = "Pod",
            ["metadata"] = new JsonObject
            {
                ["name"] = podName,
                ["namespace"] = ns,
                ["labels"] = labels,
                ["ownerReferences"] = new JsonArray(new JsonObject { ["apiVersion"] = "batch/v1", ["kind"] = "Job", ["name"] = name, ["uid"] = uid, ["controller"] = true, ["blockOwnerDeletion"] = true }),
            },
            ["spec"] = spec,
            // Scheduled and being started: a status of its own keeps the image-pulling kubelet away from it.
            ["status"] = new JsonObject
            {
                ["phase"] = "Pending",
                ["containerStatuses"] = new JsonArray(new JsonObject
                {
                    ["name"] = spec["containers"]![0]!["name"]!.GetValue<string>(),
                    ["ready"] = false,
                    ["state"] = new JsonObject { ["waiting"] = new JsonObject { ["reason"] = "ContainerCreating" } },
                }),
            },
        };
        store.Seed(pod, "kube-controller-manager");
        if (behaviour.Runtime is { } runtime)
        {
            running.GetOrAdd(uid, _ => Task.Run(() => RunAsync(runtime, ns, name, podName, pod)));
        }
    }

    public Task DrainAsync() => Task.WhenAll(running.Values);

    // The init containers one after the other, then the container; the first that fails fails the pod.
    private async Task RunAsync(Func<ContainerRun, Task<int>> runtime, string ns, string job, string podName, JsonObject pod)
    {
        var exitCode = 0;
        var containerName = string.Empty;
        foreach (var container in (pod["spec"]!["initContainers"] as JsonArray ?? []).Concat(pod["spec"]!["containers"]!.AsArray()).OfType<JsonObject>())
        {
            containerName = container["name"]!.GetValue<string>();
            var key = (ns, podName, containerName);
            podLogs[key] = string.Empty;
            SetPod(ns, podName, "Running", containerName, new JsonObject { ["running"] = new JsonObject { ["startedAt"] = Now() } });
            try
            {
                exitCode = await runtime(new ContainerRun(ns, pod, container, line => podLogs.AddOrUpdate(key, line + "\n", (_, log) => log + line + "\n")));
            }
            catch (Exception exception)
            {
                podLogs.AddOrUpdate(key, exception.Message + "\n", (_, log) => log + exception.Message + "\n");
                exitCode = 128;
            }

            if (exitCode != 0)
            {
                break;
            }
        }

        var succeeded = exitCode == 0;
        SetPod(ns, podName, succeeded ? "Succeeded" : "Failed", containerName, new JsonObject
        {
            ["terminated"] = new JsonObject { ["exitCode"] = exitCode, ["reason"] = succeeded ? "Completed" : "Error", ["finishedAt"] = Now() },
        });
        store.Mutate(Job, ns, job, item =>
        {
            var status = item["status"]!.AsObject();
            status.Remove("active");
            status[succeeded ? "succeeded" : "failed"] = 1;
            status["conditions"] = succeeded
                ? new JsonArray(Condition("SuccessCriteriaMet", "CompletionsReached", "Reached expected number of succeeded pods"), Condition("Complete", "CompletionsReached", "Reached expected number of succeeded pods"))
                : new JsonArray(Condition("FailureTarget", "BackoffLimitExceeded", "Job has reached the specified backoff limit"), Condition("Failed", "BackoffLimitExceeded", "Job has reached the specified backoff limit"));
            if (succeeded)
            {
                status["completionTime"] = Now();
            }
        });
    }

    private void SetPod(string ns, string name, string phase, string container, JsonObject state) =>
        store.Mutate(Pod, ns, name, item => item["status"] = new JsonObject
        {
            ["phase"] = phase,
            ["containerStatuses"] = new JsonArray(new JsonObject { ["name"] = container, ["ready"] = phase == "Running", ["state"] = state }),
        });

    private static JsonObject Condition(string type, string reason, string message) =>
        new() { ["type"] = type, ["status"] = "True", ["reason"] = reason, ["message"] = message, ["lastTransitionTime"] = Now() };

    private static string Now() => DateTimeOffset.UtcNow.ToString("yyyy-MM-ddTHH:mm:ssZ");
}
