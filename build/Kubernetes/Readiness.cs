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

    /// <summary>A GatewayClass its controller accepted.</summary>
    public static readonly Readiness Accepted = Status("accepted", "Accepted");

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

    /// <summary>A Gateway its controller has accepted and programmed, every listener included; a listener's problem is shown while waiting.</summary>
    public static readonly Readiness GatewayProgrammed = new("programmed", gateway =>
    {
        var listeners = (gateway["status"]?["listeners"] as JsonArray ?? []).OfType<JsonObject>()
            .SelectMany(listener => (listener["conditions"] as JsonArray ?? []).OfType<JsonObject>()
                .Where(condition => condition["status"]?.GetValue<string>() == (condition["type"]?.GetValue<string>() == "Conflicted" ? "True" : "False"))
                .Select(condition => $"listener {listener["name"]}: {condition["type"]}={condition["status"]} ({condition["reason"]}): {condition["message"]}"))
            .ToList();
        var programmed = Status("programmed", "Programmed").Check(gateway);
        if (listeners.Count > 0)
        {
            return ReadinessState.Waiting($"{programmed.Description}; {string.Join("; ", listeners)}");
        }

        var observed = Condition(gateway, "Programmed")?["observedGeneration"] is JsonValue value ? value.GetValue<long>() : long.MaxValue;
        return programmed.Ready && observed < Number(gateway, "metadata", "generation")
            ? ReadinessState.Waiting($"generation {Number(gateway, "metadata", "generation")} not programmed yet (at {observed})")
            : programmed;
    });

    /// <summary>
    /// A Gateway whose listener <paramref name="listener"/> is programmed for its current generation: enough for what
    /// comes in on it (an ACME challenge on HTTP) while another listener still waits for its certificate.
    /// </summary>
    public static Readiness ListenerProgrammed(string listener) => new($"programmed on listener {listener}", gateway =>
    {
        var status = (gateway["status"]?["listeners"] as JsonArray ?? []).OfType<JsonObject>().FirstOrDefault(each => each["name"]?.GetValue<string>() == listener);
        if (status is null)
        {
            return ReadinessState.Waiting($"its controller has not reported on listener {listener} yet (is its GatewayClass's controller running?)");
        }

        var conditions = (status["conditions"] as JsonArray ?? []).OfType<JsonObject>().ToList();
        var programmed = conditions.FirstOrDefault(condition => condition["type"]?.GetValue<string>() == "Programmed");
        var generation = Number(gateway, "metadata", "generation");
        var observed = programmed?["observedGeneration"] is JsonValue value ? value.GetValue<long>() : generation;
        var problems = conditions.Where(condition => condition["status"]?.GetValue<string>() == (condition["type"]?.GetValue<string>() == "Conflicted" ? "True" : "False"))
            .Select(condition => $"{condition["type"]}={condition["status"]} ({condition["reason"]}): {condition["message"]}").ToList();
        return programmed?["status"]?.GetValue<string>() == "True" && observed >= generation && problems.Count == 0
            ? new ReadinessState(true, false, $"listener {listener} programmed")
            : ReadinessState.Waiting(observed < generation
                ? $"generation {generation} of listener {listener} not programmed yet (at {observed})"
                : $"listener {listener}: {(problems.Count == 0 ? "not programmed yet" : string.Join("; ", problems))}");
    });

    /// <summary>
    /// An HTTPRoute that the Gateway <paramref name="gateway"/> in <paramref name="ns"/> accepted and whose backend it
    /// resolved. A Gateway that refuses it for good (its listeners admit no route from here, or not for this host) fails.
    /// </summary>
    public static Readiness RouteAccepted(string gateway, string ns) => new($"accepted by Gateway {ns}/{gateway}", route =>
    {
        var routeNamespace = route["metadata"]?["namespace"]?.GetValue<string>();
        var parent = (route["status"]?["parents"] as JsonArray ?? []).OfType<JsonObject>().FirstOrDefault(each =>
            each["parentRef"]?["name"]?.GetValue<string>() == gateway && (each["parentRef"]?["namespace"]?.GetValue<string>() ?? routeNamespace) == ns);
        if (parent is null)
        {
            return ReadinessState.Waiting($"Gateway {ns}/{gateway} has not reported on it yet (is its GatewayClass's controller running?)");
        }

        var conditions = (parent["conditions"] as JsonArray ?? []).OfType<JsonObject>().ToList();
        string Describe(JsonObject condition) => $"{condition["type"]}={condition["status"]} ({condition["reason"]}): {condition["message"]}";
        var accepted = conditions.FirstOrDefault(condition => condition["type"]?.GetValue<string>() == "Accepted");
        var resolved = conditions.FirstOrDefault(condition => condition["type"]?.GetValue<string>() == "ResolvedRefs");
        // A verdict on an earlier generation of the route, a refusal included, says nothing about this one.
        var generation = route["metadata"]?["generation"] is JsonValue current ? current.GetValue<long>() : 0;
        if (accepted?["observedGeneration"] is JsonValue seen && seen.GetValue<long>() < generation)
        {
            return ReadinessState.Waiting($"generation {generation} not reported on yet (at {seen.GetValue<long>()})");
        }

        if (accepted?["status"]?.GetValue<string>() == "False" && accepted["reason"]?.GetValue<string>() is { } refusal
            && (refusal is "NotAllowedByListeners" or "NoMatchingListenerHostname" or "NoMatchingParent"))
        {
            var fix = refusal switch
            {
                "NotAllowedByListeners" => $"its listeners must admit routes from namespace {routeNamespace} (spec.listeners[].allowedRoutes.namespaces)",
                "NoMatchingListenerHostname" => "none of its listeners' hostnames matches host (spec.listeners[].hostname, a wildcard included)",
                _ => "it has no listener the route can attach to (its name, port or protocol)",
            };
            return new ReadinessState(false, true, $"{Describe(accepted)}. For the registry, {fix}");
        }

        var state = string.Join("; ", new[] { accepted, resolved }.Select(condition => condition is null ? "no condition yet" : Describe(condition)));
        return accepted?["status"]?.GetValue<string>() == "True" && resolved?["status"]?.GetValue<string>() == "True"
            ? new ReadinessState(true, false, state)
            : ReadinessState.Waiting(state);
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
