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
            // Cleaned up whatever happened; a cancelled run leaves them to the next one's RemoveLeftoversAsync.
            if (!cancellationToken.IsCancellationRequested)
            {
                await api.DeleteAsync(pod, CancellationToken.None);
                await api.DeleteAsync(secret, CancellationToken.None);
                foreach (var each in await EventsAsync(ns, uid, CancellationToken.None))
                {
                    await api.DeleteAsync(ResourceAddress.For<Corev1Event>(ns, each["metadata"]!["name"]!.GetValue<string>()), CancellationToken.None);
                }
            }
        }
    }

    private async Task WaitForPullAsync(ResourceAddress pod, string? uid, string host, string image, TimeSpan timeout, CancellationToken cancellationToken)
    {
        var deadline = DateTimeOffset.UtcNow + timeout;
        while (true)
        {
            // The pod before its events: the kubelet records an event before the status it leads to, so both are seen together.
            var status = await api.GetAsync(pod, cancellationToken);
            var events = await EventsAsync(pod.Namespace!, uid, cancellationToken);
            if (events.FirstOrDefault(each => Reason(each) == "Pulled") is { } pulled)
            {
                log.Information($"A node pulled {image}: {pulled["message"]?.GetValue<string>()}");
                return;
            }

            var container = (status?["status"]?["containerStatuses"] as JsonArray)?.FirstOrDefault();
            if (container?["state"]?["running"] is not null || container?["state"]?["terminated"] is not null || container?["imageID"]?.GetValue<string>() is { Length: > 0 })
            {
                log.Information($"A node pulled {image}: the container was created from it.");
                return;
            }

            var waiting = container?["state"]?["waiting"];
            var reason = waiting?["reason"]?.GetValue<string>();
            if (reason is not null && PullFailures.Contains(reason))
            {
                // The kubelet says it twice: in the waiting state, and in a Failed event ("Failed to pull image ...: why"),
                // next to a second one that only repeats the reason ("Error: ErrImagePull").
                var failed = events.LastOrDefault(each => Reason(each) == "Failed" && each["message"]?.GetValue<string>()?.StartsWith("Error: ", StringComparison.Ordinal) == false);
                throw new CakeException(Failure(pod, host, image, reason, waiting?["message"]?.GetValue<string>() ?? failed?["message"]?.GetValue<string>()));
            }

            if (DateTimeOffset.UtcNow >= deadline)
            {
                var last = events.LastOrDefault() is { } latest ? $" The last event: {Reason(latest)}: {latest["message"]?.GetValue<string>()}." : " No node reported anything: is any node Ready and schedulable?";
                throw new CakeException($"No node pulled {image} within {timeout} (wait-timeout) for pod {pod.Namespace}/{pod.Name}{(reason is null ? string.Empty : $", waiting with {reason}")}.{last}");
            }

            await Task.Delay(polling.Interval, cancellationToken);
        }
    }

    /// <summary>What went wrong in the words of the kubelet, and what fixes it.</summary>
    private static string Failure(ResourceAddress pod, string host, string image, string reason, string? message)
    {
        var text = message ?? string.Empty;
        var fix = text switch
        {
            _ when text.Contains("x509", StringComparison.OrdinalIgnoreCase) || text.Contains("certificate", StringComparison.OrdinalIgnoreCase) =>
                $"The nodes' container runtime does not trust the registry's certificate. With tls=selfsigned set trust-ca-on-nodes=true (the NodeTrust step writes the CA to /etc/containerd/certs.d/{host}/ on every node), " +
                $"or install artifacts/ca.crt there yourself (README: Nodes trust the private CA).",
            _ when text.Contains("401", StringComparison.Ordinal) || text.Contains("unauthorized", StringComparison.OrdinalIgnoreCase) || text.Contains("authorization failed", StringComparison.OrdinalIgnoreCase) || text.Contains("no basic auth credentials", StringComparison.OrdinalIgnoreCase) =>
                $"The node pulled without a login the registry accepts: the pull secret is missing or holds another password. Workloads need a kubernetes.io/dockerconfigjson Secret for {host} in their namespace: list it in pull-secret-namespaces.",
            _ when text.Contains("no such host", StringComparison.OrdinalIgnoreCase) || text.Contains("lookup ", StringComparison.OrdinalIgnoreCase) =>
                $"{host} does not resolve on the nodes: the kubelet and the container runtime use the node's resolver, not the cluster's DNS. Give {host} a DNS record the nodes can resolve (or an /etc/hosts entry on each node).",
            _ when text.Contains("connection refused", StringComparison.OrdinalIgnoreCase) || text.Contains("timeout", StringComparison.OrdinalIgnoreCase) =>
                $"The nodes cannot reach {host}:443: check that the ingress controller is reachable from the nodes on that address.",
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
