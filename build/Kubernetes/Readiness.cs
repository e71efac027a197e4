using System.Text.Json.Nodes;

namespace Registry.Build.Kubernetes;

/// <summary>What a wait saw: done, failed for good, or neither, with a line a user can act on.</summary>
public sealed record ReadinessState(bool Ready, bool Failed, string Description)
{
    public static ReadinessState Waiting(string description) => new(false, false, description);
}

/// <summary>The conditions the pipeline waits for, read from an object as the API server returns it.</summary>
public sealed record Readiness(string Goal, Func<JsonObject, ReadinessState> Check)
{
    /// <summary>Every replica of the current generation updated and available.</summary>
    public static readonly Readiness RolledOut = new("rolled out", deployment =>
    {
        var generation = Number(deployment, "metadata", "generation");
        var observed = Number(deployment, "status", "observedGeneration");
        var wanted = deployment["spec"]?["replicas"] is null ? 1 : Number(deployment, "spec", "replicas");
        var updated = Number(deployment, "status", "updatedReplicas");
        var available = Number(deployment, "status", "availableReplicas");
        var state = $"{updated} of {wanted} replicas updated, {available} available";
        if (Condition(deployment, "Progressing") is { } progressing
            && progressing["status"]?.GetValue<string>() == "False"
            && progressing["reason"]?.GetValue<string>() == "ProgressDeadlineExceeded")
        {
            return new ReadinessState(false, true, $"{state}; {progressing["message"]?.GetValue<string>() ?? "progress deadline exceeded"}");
        }

        if (observed < generation)
        {
            return ReadinessState.Waiting($"generation {generation} not observed yet (at {observed}); {state}");
        }

        return updated >= wanted && available >= wanted && Number(deployment, "status", "replicas") <= wanted
            ? new ReadinessState(true, false, state)
            : ReadinessState.Waiting(state);
    });

    /// <summary>A DaemonSet whose current generation runs, updated and available, on every node it is scheduled to.</summary>
    public static readonly Readiness DaemonSetAvailable = new("available", daemonSet =>
    {
        var wanted = Number(daemonSet, "status", "desiredNumberScheduled");
        var updated = Number(daemonSet, "status", "updatedNumberScheduled");
        var available = Number(daemonSet, "status", "numberAvailable");
        var state = $"{updated} of {wanted} pods updated, {available} available";
        return Number(daemonSet, "status", "observedGeneration") >= Number(daemonSet, "metadata", "generation") && wanted > 0 && updated >= wanted && available >= wanted
            ? new ReadinessState(true, false, state)
            : ReadinessState.Waiting(state);
    });

    /// <summary>A CustomResourceDefinition the API server serves.</summary>
    public static readonly Readiness Established = Status("established", "Established");

    /// <summary>A cert-manager Issuer, ClusterIssuer or Certificate that says Ready=True.</summary>
    public static readonly Readiness Ready = Status("ready", "Ready");

    /// <summary>A Service of type LoadBalancer, or an Ingress, with an external address.</summary>
    public static readonly Readiness HasAddress = new("given an address", item =>
    {
        var first = item["status"]?["loadBalancer"]?["ingress"]?.AsArray().FirstOrDefault();
        var address = first?["ip"]?.GetValue<string>() ?? first?["hostname"]?.GetValue<string>();
        return address is null
            ? ReadinessState.Waiting("no external address yet (pending: a cluster without a load balancer never gives one)")
            : new ReadinessState(true, false, $"address {address}");
    });

    /// <summary>The external address a <see cref="HasAddress"/> wait ended with.</summary>
    public static string? AddressOf(JsonObject item)
    {
        var first = item["status"]?["loadBalancer"]?["ingress"]?.AsArray().FirstOrDefault();
        return first?["ip"]?.GetValue<string>() ?? first?["hostname"]?.GetValue<string>();
    }

    private static Readiness Status(string goal, string type) => new(goal, item =>
    {
        if (Condition(item, type) is not { } condition)
        {
            return ReadinessState.Waiting($"no {type} condition yet");
        }

        var status = condition["status"]?.GetValue<string>();
        var reason = condition["reason"]?.GetValue<string>();
        var message = condition["message"]?.GetValue<string>();
        var description = $"{type}={status}" + (reason is null ? string.Empty : $" ({reason})") + (message is null ? string.Empty : $": {message}");
        return status == "True" ? new ReadinessState(true, false, description) : ReadinessState.Waiting(description);
    });

    private static JsonObject? Condition(JsonObject item, string type) =>
        (item["status"]?["conditions"] as JsonArray)?.OfType<JsonObject>()
            .FirstOrDefault(condition => condition["type"]?.GetValue<string>() == type);

    private static long Number(JsonObject item, string section, string field) =>
        item[section]?[field] is JsonValue value ? value.GetValue<long>() : 0;
}
