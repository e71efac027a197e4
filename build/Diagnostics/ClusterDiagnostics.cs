using System.Text;
using System.Text.Json.Nodes;
using k8s.Models;
using Registry.Build.Kubernetes;
using Registry.Build.Settings;

namespace Registry.Build.Diagnostics;

/// <summary>
/// What the guide's author dug for by hand when something failed: the namespace's events, pods with why they
/// wait or died and the last lines their failing containers wrote, pending claims, cert-manager's conditions
/// down to ACME challenges, the ingress address, and with exposure=gateway the Gateway's and HTTPRoute's conditions. Written to files and summed up for the log. Secret data
/// is never read.
/// </summary>
public static class ClusterDiagnostics
{
    private const int LogLines = 50;

    /// <returns>The summary, a line each.</returns>
    public static async Task<IReadOnlyList<string>> CollectAsync(KubernetesApi api, RegistrySettings settings, string folder, CancellationToken cancellationToken)
    {
        Directory.CreateDirectory(folder);
        var ns = settings.Namespace;
        var summary = new List<string>();

        var events = Items(await api.ListAsync(ResourceAddress.For<Corev1Event>(ns), null, cancellationToken))
            .OrderBy(item => item["lastTimestamp"]?.GetValue<string>() ?? item["metadata"]?["creationTimestamp"]?.GetValue<string>())
            .Select(item => $"{item["type"]} {item["reason"]} {item["involvedObject"]?["kind"]}/{item["involvedObject"]?["name"]}: {item["message"]}")
            .ToList();
        await File.WriteAllLinesAsync(Path.Combine(folder, "events.txt"), events, cancellationToken);
        summary.AddRange(events.Where(line => line.StartsWith("Warning", StringComparison.Ordinal)).TakeLast(5).Select(line => "event: " + line));

        var pods = new StringBuilder();
        foreach (var pod in Items(await api.ListAsync(ResourceAddress.For<V1Pod>(ns), null, cancellationToken)))
        {
            var name = pod["metadata"]!["name"]!.GetValue<string>();
            var phase = pod["status"]?["phase"]?.GetValue<string>() ?? "Unknown";
            pods.AppendLine($"{name}: {phase}");
            foreach (var status in pod["status"]?["containerStatuses"]?.AsArray().OfType<JsonObject>() ?? [])
            {
                var container = status["name"]!.GetValue<string>();
                var restarts = status["restartCount"]?.GetValue<int>() ?? 0;
                var problem = Problem(status);
                pods.AppendLine($"  {container}: {problem ?? "running"}, {restarts} restarts");
                if (problem is null)
                {
                    continue;
                }

                summary.Add($"pod {name}, container {container}: {problem} ({restarts} restarts)");
                var log = await api.LogAsync(ns, name, container, LogLines, previous: restarts > 0, cancellationToken)
                    ?? await api.LogAsync(ns, name, container, LogLines, previous: false, cancellationToken);
                if (!string.IsNullOrWhiteSpace(log))
                {
                    await File.WriteAllTextAsync(Path.Combine(folder, $"{name}-{container}.log"), log, cancellationToken);
                    summary.AddRange(log.TrimEnd().Split('\n').TakeLast(5).Select(line => $"  {container} log: {line.TrimEnd()}"));
                }
            }

            if (phase == "Pending" && pod["status"]?["conditions"]?.AsArray().OfType<JsonObject>()
                    .FirstOrDefault(condition => condition["type"]?.GetValue<string>() == "PodScheduled" && condition["status"]?.GetValue<string>() == "False") is { } unscheduled)
            {
                summary.Add($"pod {name} is not scheduled: {unscheduled["message"]}");
            }
        }

        await File.WriteAllTextAsync(Path.Combine(folder, "pods.txt"), pods.ToString(), cancellationToken);

        foreach (var claim in Items(await api.ListAsync(ResourceAddress.For<V1PersistentVolumeClaim>(ns), null, cancellationToken)))
        {
            if (claim["status"]?["phase"]?.GetValue<string>() is "Pending")
            {
                summary.Add($"claim {claim["metadata"]!["name"]} is Pending: no volume is bound (is there a default StorageClass, or set storage-class?)");
            }
        }

        var certificates = new StringBuilder();
        foreach (var (group, plural, kind) in new[]
        {
            ("cert-manager.io", "issuers", "Issuer"), ("cert-manager.io", "certificates", "Certificate"),
            ("acme.cert-manager.io", "orders", "Order"), ("acme.cert-manager.io", "challenges", "Challenge"),
        })
        {
            foreach (var item in Items(await api.ListAsync(new ResourceAddress(group, "v1", plural, kind, ns, string.Empty), null, cancellationToken)))
            {
                var line = $"{kind} {item["metadata"]!["name"]}: {State(item)}";
                certificates.AppendLine(line);
                if (!line.Contains("Ready=True", StringComparison.Ordinal) && !line.EndsWith(": valid", StringComparison.Ordinal))
                {
                    summary.Add(line);
                }
            }
        }

        await File.WriteAllTextAsync(Path.Combine(folder, "certificates.txt"), certificates.ToString(), cancellationToken);

        foreach (var ingress in Items(await api.ListAsync(ResourceAddress.For<V1Ingress>(ns), null, cancellationToken)))
        {
            var line = $"ingress {ingress["metadata"]!["name"]}: address {Readiness.AddressOf(ingress) ?? "none yet"}";
            summary.Add(line);
            await File.AppendAllTextAsync(Path.Combine(folder, "ingress.txt"), line + Environment.NewLine, cancellationToken);
        }

        if (settings.Exposure == Exposure.Gateway)
        {
            // The conditions a Gateway API controller reports, which say why a route does not serve.
            var lines = new List<(string Line, bool Ready)>();
            foreach (var gateway in Items(await api.ListAsync(ResourceAddress.For<Kubernetes.GatewayApi.Gateway>(ns), null, cancellationToken)))
            {
                var state = Readiness.GatewayProgrammed.Check(gateway);
                lines.Add(($"Gateway {gateway["metadata"]!["name"]}: {state.Description}", state.Ready));
            }

            var accepted = Readiness.RouteAccepted(settings.GatewayName, settings.GatewayHomeNamespace);
            foreach (var route in Items(await api.ListAsync(ResourceAddress.For<Kubernetes.GatewayApi.HttpRoute>(ns), null, cancellationToken)))
            {
                var state = accepted.Check(route);
                lines.Add(($"HTTPRoute {route["metadata"]!["name"]}: {state.Description}", state.Ready));
            }

            await File.WriteAllLinesAsync(Path.Combine(folder, "gateway.txt"), lines.Select(line => line.Line), cancellationToken);
            summary.AddRange(lines.Where(line => !line.Ready).Select(line => line.Line));
        }

        return summary;
    }

    private static string? Problem(JsonObject status)
    {
        if (status["state"]?["waiting"] is JsonObject waiting)
        {
            return $"waiting: {waiting["reason"]}" + (waiting["message"] is { } message ? $" ({message})" : string.Empty);
        }

        if (status["state"]?["terminated"] is JsonObject terminated)
        {
            return $"terminated: {terminated["reason"]} (exit code {terminated["exitCode"]})";
        }

        return status["ready"]?.GetValue<bool>() == false ? "not ready" : null;
    }

    private static string State(JsonObject item)
    {
        if (item["status"]?["state"]?.GetValue<string>() is { } state)
        {
            var reason = item["status"]?["reason"]?.GetValue<string>();
            return string.IsNullOrEmpty(reason) ? state : $"{state} ({reason})";
        }

        var ready = item["status"]?["conditions"]?.AsArray().OfType<JsonObject>().FirstOrDefault(condition => condition["type"]?.GetValue<string>() == "Ready");
        return ready is null ? "no Ready condition yet" : $"Ready={ready["status"]} ({ready["reason"]}): {ready["message"]}";
    }

    private static List<JsonObject> Items(JsonObject list) => list["items"]?.AsArray().OfType<JsonObject>().ToList() ?? [];
}
