using System.Text;
using System.Text.Json.Nodes;
using Cake.Core;
using Cake.Core.Diagnostics;
using k8s.Models;
using Registry.Build.Kubernetes;

namespace Registry.Build.Registry;

/// <summary>
/// The proof that the cluster's own workloads can run images from the registry: a short-lived Pod whose image is the
/// pushed smoke image, pulled by a node's kubelet with a pull secret, as any workload's would be. It passes once the
/// kubelet reports the image pulled; the image has no program, so the container itself never runs.
/// </summary>
public sealed class ClusterPull(KubernetesApi api, ICakeLog log, WaitPolling polling)
{
    /// <summary>On the pod and secret of a check, so a run that was cut off has its leftovers removed by the next.</summary>
    public const string Label = "registry-pipeline.dev/smoke-pull";

    private static readonly string[] PullFailures = ["ErrImagePull", "ImagePullBackOff", "InvalidImageName", "ErrImageNeverPull", "RegistryUnavailable"];

    /// <param name="login">The login the pod's pull secret holds; null starts the pod without one.</param>
    /// <param name="diagnostics">Where a failed check leaves the pod's status and events, since the pod itself is deleted.</param>
    public async Task RunAsync(string ns, string host, string image, Credential? login, TimeSpan timeout, CancellationToken cancellationToken, string? diagnostics = null)
    {
        await RemoveLeftoversAsync(ns, cancellationToken);
        var name = $"registry-smoke-pull-{Guid.NewGuid().ToString("N")[..6]}";
        var pod = ResourceAddress.For<V1Pod>(ns, name);
        var secret = ResourceAddress.For<V1Secret>(ns, name);
        string? uid = null;
        try
        {
            if (login is not null)
            {
                await api.CreateAsync(secret, Secret(ns, name, host, login), dryRun: false, cancellationToken);
            }

            uid = (await api.CreateAsync(pod, Pod(ns, name, image, login is not null), dryRun: false, cancellationToken))["metadata"]?["uid"]?.GetValue<string>();
            log.Information($"Started pod {ns}/{name} with image {image}{(login is null ? string.Empty : $" and pull secret {name}")}; waiting for a node to pull it.");
            await WaitForPullAsync(pod, uid, host, image, timeout, cancellationToken);
        }
        catch (CakeException failure) when (diagnostics is not null)
        {
            await KeepForDiagnosticsAsync(diagnostics, pod, uid, failure.Message, cancellationToken);
            throw;
        }
        finally
        {
            // Whatever happened, also when the run was cancelled: the secret first, since it holds a password.
            using var cleanup = new CancellationTokenSource(TimeSpan.FromSeconds(30));
            await TryAsync(() => api.DeleteAsync(secret, cleanup.Token));
            await TryAsync(() => api.DeleteAsync(pod, cleanup.Token));
            // Events expire by themselves; a user who may not delete them (the built-in edit role) keeps them until then.
            foreach (var each in await TryAsync(() => EventsAsync(ns, uid, cleanup.Token)) ?? [])
            {
                await TryAsync(() => api.DeleteAsync(ResourceAddress.For<Corev1Event>(ns, each["metadata"]!["name"]!.GetValue<string>()), cleanup.Token));
            }
        }
    }

    private static async Task<T?> TryAsync<T>(Func<Task<T>> cleanup)
    {
        try
        {
            return await cleanup();
        }
        catch (Exception exception) when (exception is KubernetesApiException or HttpRequestException or OperationCanceledException)
        {
            // A leftover is removed by the next run's check (by its label).
            return default;
        }
    }

    private async Task WaitForPullAsync(ResourceAddress pod, string? uid, string host, string image, TimeSpan timeout, CancellationToken cancellationToken)
    {
        var deadline = DateTimeOffset.UtcNow + timeout;
        (string Reason, string? Message)? lastFailure = null;
        while (true)
        {
            // The pod before its events, so a status that follows an event is never seen without it.
            var status = await api.GetAsync(pod, cancellationToken);
            var events = await EventsAsync(pod.Namespace!, uid, cancellationToken);
            if (events.FirstOrDefault(each => Reason(each) == "Pulled") is { } pulled)
            {
                log.Information($"A node pulled {image}: {pulled["message"]?.GetValue<string>()}");
                return;
            }

            var container = (status?["status"]?["containerStatuses"] as JsonArray)?.FirstOrDefault();
            var waiting = container?["state"]?["waiting"];
            var reason = waiting?["reason"]?.GetValue<string>();
            // The kubelet creates a container only from an image it has: any of these means the pull happened, even
            // when its Pulled event was dropped (the image has no program, so creating the container fails).
            if (container?["state"]?["running"] is not null || container?["state"]?["terminated"] is not null || reason is "CreateContainerError" or "CreateContainerConfigError")
            {
                log.Information($"A node pulled {image}: its container was {(reason is null ? "started" : $"then not created ({reason}), as expected of an image with no program")}.");
                return;
            }

            if (reason is not null && PullFailures.Contains(reason))
            {
                // The kubelet says it twice: in the waiting state, and in a Failed event ("Failed to pull image ...: why"),
                // next to a second one that only repeats the reason ("Error: ErrImagePull").
                var failed = events.LastOrDefault(each => Reason(each) == "Failed" && each["message"]?.GetValue<string>()?.StartsWith("Error: ", StringComparison.Ordinal) == false);
                lastFailure = (reason, waiting?["message"]?.GetValue<string>() ?? failed?["message"]?.GetValue<string>());
                // What retrying cannot fix fails now; anything else (a 503, a connection reset) gets the kubelet's retries until the deadline.
                if (Lasting(lastFailure.Value.Message))
                {
                    throw new CakeException(Failure(pod, host, image, lastFailure.Value.Reason, lastFailure.Value.Message));
                }
            }

            if (DateTimeOffset.UtcNow >= deadline)
            {
                if (lastFailure is { } last)
                {
                    throw new CakeException(Failure(pod, host, image, last.Reason, last.Message));
                }

                var latest = events.LastOrDefault() is { } newest ? $" The last event: {Reason(newest)}: {newest["message"]?.GetValue<string>()}." : " No node reported anything: is any node Ready and schedulable?";
                throw new CakeException($"No node pulled {image} within {timeout} (wait-timeout) for pod {pod.Namespace}/{pod.Name}{(reason is null ? string.Empty : $", waiting with {reason}")}.{latest}");
            }

            await Task.Delay(polling.Interval, cancellationToken);
        }
    }

    private static bool IsUntrusted(string text) => text.Contains("x509", StringComparison.OrdinalIgnoreCase) || text.Contains("certificate", StringComparison.OrdinalIgnoreCase);

    private static bool IsRefused(string text) =>
        text.Contains("401 Unauthorized", StringComparison.OrdinalIgnoreCase) || text.Contains("authorization failed", StringComparison.OrdinalIgnoreCase) ||
        text.Contains("no basic auth credentials", StringComparison.OrdinalIgnoreCase) || text.Contains("pull access denied", StringComparison.OrdinalIgnoreCase);

    private static bool IsUnresolved(string text) => text.Contains("no such host", StringComparison.OrdinalIgnoreCase);

    private static bool Lasting(string? message) => message is not null && (IsUntrusted(message) || IsRefused(message) || IsUnresolved(message));

    /// <summary>What went wrong in the words of the kubelet, and what fixes it.</summary>
    private static string Failure(ResourceAddress pod, string host, string image, string reason, string? message)
    {
        var text = message ?? string.Empty;
        var fix = text switch
        {
            _ when IsUntrusted(text) =>
                $"The nodes' container runtime does not trust the registry's certificate. With tls=selfsigned set trust-ca-on-nodes=true (the NodeTrust step writes the CA to /etc/containerd/certs.d/{host}/ on every node), " +
                $"or install artifacts/ca.crt there yourself (README: Nodes trust the private CA).",
            _ when IsRefused(text) =>
                $"The node pulled without a login the registry accepts: the pull secret is missing or holds another password. Workloads need a kubernetes.io/dockerconfigjson Secret for {host} in their namespace: list it in pull-secret-namespaces.",
            _ when IsUnresolved(text) =>
                $"{host} does not resolve on the nodes: the kubelet and the container runtime use the node's resolver, not the cluster's DNS. Give {host} a DNS record the nodes can resolve (or an /etc/hosts entry on each node).",
            _ when text.Contains("connection refused", StringComparison.OrdinalIgnoreCase) || text.Contains("timeout", StringComparison.OrdinalIgnoreCase) =>
                $"The nodes cannot reach {host}:443: check that the ingress controller (or the Gateway) is reachable from the nodes on that address.",
            _ => $"Check the pod's events with: kubectl -n {pod.Namespace} describe pod {pod.Name} (while it exists; set smoke-cluster-pull=false to skip this check).",
        };
        return $"A node could not pull {image} for pod {pod.Namespace}/{pod.Name} ({reason}): {(message is null ? "the kubelet gave no message" : message)}. {fix}";
    }

    private async Task KeepForDiagnosticsAsync(string folder, ResourceAddress pod, string? uid, string failure, CancellationToken cancellationToken)
    {
        var text = new StringBuilder().AppendLine(failure).AppendLine().AppendLine("Events:");
        foreach (var each in await EventsAsync(pod.Namespace!, uid, cancellationToken))
        {
            text.AppendLine($"  {each["type"]} {Reason(each)}: {each["message"]}");
        }

        var live = await api.GetAsync(pod, cancellationToken);
        text.AppendLine().AppendLine("Pod status:").AppendLine(live?["status"]?.ToJsonString(new System.Text.Json.JsonSerializerOptions { WriteIndented = true }) ?? "(gone)");
        Directory.CreateDirectory(folder);
        var path = Path.Combine(folder, "cluster-pull.txt");
        await File.WriteAllTextAsync(path, text.ToString(), cancellationToken);
        log.Information($"The pull check's pod status and events are in {path}.");
    }

    private async Task RemoveLeftoversAsync(string ns, CancellationToken cancellationToken)
    {
        foreach (var address in new[] { ResourceAddress.For<V1Pod>(ns), ResourceAddress.For<V1Secret>(ns) })
        {
            var list = await api.ListAsync(address, Label, cancellationToken);
            foreach (var item in list["items"] as JsonArray ?? [])
            {
                var leftover = address with { Name = item!["metadata"]!["name"]!.GetValue<string>() };
                await api.DeleteAsync(leftover, cancellationToken);
                log.Information($"Deleted {leftover}, left by an earlier run's cluster pull check.");
            }
        }
    }

    private async Task<IReadOnlyList<JsonNode>> EventsAsync(string ns, string? uid, CancellationToken cancellationToken)
    {
        if (uid is null)
        {
            return [];
        }

        var list = await api.ListAsync(ResourceAddress.For<Corev1Event>(ns), null, cancellationToken);
        return [.. (list["items"] as JsonArray ?? []).OfType<JsonNode>().Where(each => each["involvedObject"]?["uid"]?.GetValue<string>() == uid)];
    }

    private static string? Reason(JsonNode item) => item["reason"]?.GetValue<string>();

    private static JsonObject Metadata(string ns, string name) => new()
    {
        ["name"] = name,
        ["namespace"] = ns,
        ["labels"] = new JsonObject { [Label] = "true", ["app.kubernetes.io/managed-by"] = "registry-pipeline" },
    };

    private static JsonObject Secret(string ns, string name, string host, Credential login) => new()
    {
        ["apiVersion"] = "v1",
        ["kind"] = "Secret",
        ["metadata"] = Metadata(ns, name),
        ["type"] = "kubernetes.io/dockerconfigjson",
        ["data"] = new JsonObject { [PullSecret.Key] = Convert.ToBase64String(Encoding.UTF8.GetBytes(PullSecret.DockerConfigJson(host, login))) },
    };

    /// <summary>Admitted by the restricted Pod Security level, so a namespace that enforces it still runs the check.</summary>
    private static JsonObject Pod(string ns, string name, string image, bool withSecret) => new()
    {
        ["apiVersion"] = "v1",
        ["kind"] = "Pod",
        ["metadata"] = Metadata(ns, name),
        ["spec"] = new JsonObject
        {
            ["restartPolicy"] = "Never",
            ["automountServiceAccountToken"] = false,
            ["terminationGracePeriodSeconds"] = 0,
            ["imagePullSecrets"] = withSecret ? new JsonArray(new JsonObject { ["name"] = name }) : new JsonArray(),
            ["securityContext"] = new JsonObject
            {
                ["runAsNonRoot"] = true,
                ["runAsUser"] = 65534,
                ["seccompProfile"] = new JsonObject { ["type"] = "RuntimeDefault" },
            },
            ["containers"] = new JsonArray(new JsonObject
            {
                ["name"] = "smoke",
                ["image"] = image,
                // Always, so a node that has the image from an earlier run still proves it can pull it now.
                ["imagePullPolicy"] = "Always",
                ["resources"] = new JsonObject
                {
                    ["requests"] = new JsonObject { ["cpu"] = "1m", ["memory"] = "4Mi" },
                    ["limits"] = new JsonObject { ["cpu"] = "10m", ["memory"] = "16Mi" },
                },
                ["securityContext"] = new JsonObject
                {
                    ["allowPrivilegeEscalation"] = false,
                    ["readOnlyRootFilesystem"] = true,
                    ["capabilities"] = new JsonObject { ["drop"] = new JsonArray("ALL") },
                },
            }),
        },
    };
}
