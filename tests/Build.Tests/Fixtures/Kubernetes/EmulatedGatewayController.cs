using System.Text.Json.Nodes;

namespace Registry.Build.Tests.Fixtures.Kubernetes;

/// <summary>
/// A Gateway API implementation's controller, as the spec says one reports: it accepts the GatewayClasses naming it,
/// programs their Gateways (a listener whose certificate Secret is missing is not, the others are), and for each HTTPRoute reports per
/// parent whether a listener admits it (namespace, section, hostname) and whether its backend Service exists.
/// </summary>
public sealed class EmulatedGatewayController(ObjectStore store, string address)
{
    public static readonly IReadOnlySet<string> Controllers = new HashSet<string>
    {
        "gateway.envoyproxy.io/gatewayclass-controller", "gateway.nginx.org/nginx-gateway-controller", "traefik.io/gateway-controller",
    };

    private static readonly ResourceType GatewayClass = ResourceCatalogue.OfKind("gateway.networking.k8s.io/v1", "GatewayClass");
    private static readonly ResourceType Gateway = ResourceCatalogue.OfKind("gateway.networking.k8s.io/v1", "Gateway");
    private static readonly ResourceType Secret = ResourceCatalogue.OfKind("v1", "Secret");
    private static readonly ResourceType Service = ResourceCatalogue.OfKind("v1", "Service");

    public void Reconcile(ResourceType type, string? ns, string name, JsonObject body)
    {
        switch (type.Kind)
        {
            case "GatewayClass" when Controllers.Contains(body["spec"]?["controllerName"]?.GetValue<string>() ?? string.Empty):
                store.Mutate(type, ns, name, item => item["status"] = new JsonObject { ["conditions"] = Conditions(item, ("Accepted", "True", "Accepted", "Valid GatewayClass")) });
                break;
            case "Gateway" when IsOurs(body):
                store.Mutate(type, ns, name, item => item["status"] = GatewayStatus(ns!, item));
                break;
            case "HTTPRoute":
                store.Mutate(type, ns, name, item => item["status"] = RouteStatus(ns!, item));
                break;
        }
    }

    private bool IsOurs(JsonObject gateway) =>
        store.Get(GatewayClass, null, gateway["spec"]?["gatewayClassName"]?.GetValue<string>() ?? string.Empty)?["status"]?["conditions"]?[0]?["status"]?.GetValue<string>() == "True";

    private JsonObject GatewayStatus(string ns, JsonObject gateway)
    {
        var listeners = new JsonArray();
        var invalid = new List<string>();
        foreach (var listener in (gateway["spec"]?["listeners"] as JsonArray ?? []).OfType<JsonObject>())
        {
            var missing = (listener["tls"]?["certificateRefs"] as JsonArray ?? []).OfType<JsonObject>()
                .Select(reference => reference["name"]!.GetValue<string>())
                .FirstOrDefault(secret => store.Get(Secret, ns, secret) is null);
            if (missing is not null)
            {
                invalid.Add(listener["name"]!.GetValue<string>());
            }

            listeners.Add(new JsonObject
            {
                ["name"] = listener["name"]!.DeepClone(),
                ["attachedRoutes"] = 0,
                ["supportedKinds"] = new JsonArray(new JsonObject { ["group"] = "gateway.networking.k8s.io", ["kind"] = "HTTPRoute" }),
                ["conditions"] = missing is null
                    ? Conditions(gateway, ("Accepted", "True", "Accepted", "Listener is accepted"), ("Programmed", "True", "Programmed", "Listener is programmed"), ("ResolvedRefs", "True", "ResolvedRefs", "References resolved"))
                    : Conditions(gateway, ("Accepted", "True", "Accepted", "Listener is accepted"), ("Programmed", "False", "Invalid", "Listener is invalid"),
                        ("ResolvedRefs", "False", "InvalidCertificateRef", $"Secret {ns}/{missing} does not exist.")),
            });
        }

        // As Envoy Gateway reports it: the Gateway is programmed once it has an address and its proxy runs, whatever
        // its listeners' state; a listener waiting for its certificate says so on its own.
        return new JsonObject
        {
            ["addresses"] = new JsonArray(new JsonObject { ["type"] = "IPAddress", ["value"] = address }),
            ["conditions"] = Conditions(gateway,
                ("Accepted", "True", invalid.Count == 0 ? "Accepted" : "ListenersNotValid", invalid.Count == 0 ? "The Gateway has been scheduled" : $"Listeners not valid: {string.Join(", ", invalid)}"),
                ("Programmed", "True", "Programmed", "Address assigned to the Gateway, 1/1 envoy replicas available")),
            ["listeners"] = listeners,
        };
    }

    private JsonObject RouteStatus(string ns, JsonObject route)
    {
        var parents = new JsonArray();
        var hostnames = (route["spec"]?["hostnames"] as JsonArray ?? []).Select(each => each!.GetValue<string>()).ToList();
        foreach (var parentRef in (route["spec"]?["parentRefs"] as JsonArray ?? []).OfType<JsonObject>())
        {
            var gatewayNamespace = parentRef["namespace"]?.GetValue<string>() ?? ns;
            var gateway = store.Get(Gateway, gatewayNamespace, parentRef["name"]!.GetValue<string>());
            if (gateway is null || !IsOurs(gateway))
            {
                // No controller of ours programs it: nobody reports on this parent.
                continue;
            }

            var section = parentRef["sectionName"]?.GetValue<string>();
            var listeners = (gateway["spec"]?["listeners"] as JsonArray ?? []).OfType<JsonObject>()
                .Where(listener => section is null || listener["name"]?.GetValue<string>() == section).ToList();
            var admitting = listeners.Where(listener => (listener["allowedRoutes"]?["namespaces"]?["from"]?.GetValue<string>() ?? "Same") switch
            {
                "All" => true,
                "Same" => gatewayNamespace == ns,
                "Selector" => SelectorMatches(listener["allowedRoutes"]!["namespaces"]!["selector"] as JsonObject, ns),
                _ => false,
            }).ToList();
            var matching = admitting.Where(listener => listener["hostname"]?.GetValue<string>() is not { } hostname
                || hostnames.Count == 0
                || hostnames.Any(each => each == hostname || (hostname.StartsWith("*.", StringComparison.Ordinal) && each.EndsWith(hostname[1..], StringComparison.Ordinal)))).ToList();
            var accepted = admitting.Count == 0
                ? ("Accepted", "False", "NotAllowedByListeners", $"No listener of Gateway {gatewayNamespace}/{parentRef["name"]} allows routes from namespace {ns}")
                : matching.Count == 0
                    ? ("Accepted", "False", "NoMatchingListenerHostname", "No listener hostname matches the route's hostnames")
                    : ("Accepted", "True", "Accepted", "Route is accepted");
            var backends = (route["spec"]?["rules"] as JsonArray ?? []).SelectMany(rule => rule?["backendRefs"] as JsonArray ?? [])
                .Select(backend => backend!["name"]!.GetValue<string>()).ToList();
            var unresolved = backends.FirstOrDefault(service => store.Get(Service, ns, service) is null);
            var resolved = unresolved is null
                ? ("ResolvedRefs", "True", "ResolvedRefs", "All references resolved")
                : ("ResolvedRefs", "False", "BackendNotFound", $"Service {ns}/{unresolved} not found");
            parents.Add(new JsonObject
            {
                ["parentRef"] = parentRef.DeepClone(),
                ["controllerName"] = "gateway.envoyproxy.io/gatewayclass-controller",
                ["conditions"] = Conditions(route, accepted, resolved),
            });
        }

        return new JsonObject { ["parents"] = parents };
    }

    // A listener's namespace selector, by its matchLabels, against the route's namespace's labels.
    private bool SelectorMatches(JsonObject? selector, string ns)
    {
        var labels = store.Get(ResourceCatalogue.OfKind("v1", "Namespace"), null, ns)?["metadata"]?["labels"] as JsonObject;
        return (selector?["matchLabels"] as JsonObject ?? []).All(pair => labels?[pair.Key]?.GetValue<string>() == pair.Value!.GetValue<string>());
    }

    private static JsonArray Conditions(JsonObject item, params (string Type, string Status, string Reason, string Message)[] conditions)
    {
        var generation = item["metadata"]?["generation"]?.GetValue<long>() ?? 1;
        return new JsonArray(conditions.Select(condition => (JsonNode)new JsonObject
        {
            ["type"] = condition.Type,
            ["status"] = condition.Status,
            ["reason"] = condition.Reason,
            ["message"] = condition.Message,
            ["observedGeneration"] = generation,
            ["lastTransitionTime"] = "2026-12-01T00:00:00Z",
        }).ToArray());
    }
}
