using System.Text.Json.Nodes;

namespace Registry.Build.Tests.Fixtures.Kubernetes;

/// <summary>
/// cert-manager's http01 challenge through a Gateway, as cert-manager and the ACME server play it: the Challenge gets
/// a solver HTTPRoute (attached to the solver's parentRefs) and a Service; the ACME server's request reaches the solver
/// only when the Gateway accepted that route on a programmed HTTP listener. cert-manager presents nothing unless its
/// controller was started with Gateway API support.
/// </summary>
public sealed class EmulatedAcme(ObjectStore store)
{
    private static readonly ResourceType Issuer = ResourceCatalogue.OfKind("cert-manager.io/v1", "Issuer");
    private static readonly ResourceType Challenge = ResourceCatalogue.OfKind("acme.cert-manager.io/v1", "Challenge");
    private static readonly ResourceType Route = ResourceCatalogue.OfKind("gateway.networking.k8s.io/v1", "HTTPRoute");
    private static readonly ResourceType Gateway = ResourceCatalogue.OfKind("gateway.networking.k8s.io/v1", "Gateway");
    private static readonly ResourceType Service = ResourceCatalogue.OfKind("v1", "Service");
    private static readonly ResourceType Deployment = ResourceCatalogue.OfKind("apps/v1", "Deployment");
    private static readonly ResourceType ConfigMap = ResourceCatalogue.OfKind("v1", "ConfigMap");

    /// <summary>Why <paramref name="certificate"/> cannot be issued yet, or null when it can (or is not issued through a Gateway).</summary>
    public (string Reason, string Message)? Pending(string ns, string name, JsonObject certificate)
    {
        var issuer = store.Get(Issuer, ns, certificate["spec"]?["issuerRef"]?["name"]?.GetValue<string>() ?? string.Empty);
        if (issuer?["spec"]?["acme"]?["solvers"]?[0]?["http01"]?["gatewayHTTPRoute"] is not JsonObject solver)
        {
            return null;
        }

        var dnsName = certificate["spec"]?["dnsNames"]?[0]?.GetValue<string>() ?? string.Empty;
        var challengeName = $"{name}-1-2710113787";
        var solverName = $"cm-acme-http-solver-{name.Length:x}emu";
        if (store.Get(Challenge, ns, challengeName) is null)
        {
            store.Seed(new JsonObject
            {
                ["apiVersion"] = "acme.cert-manager.io/v1", ["kind"] = "Challenge",
                ["metadata"] = new JsonObject { ["name"] = challengeName, ["namespace"] = ns },
                ["spec"] = new JsonObject { ["dnsName"] = dnsName, ["type"] = "HTTP-01", ["token"] = "emulated-token", ["solver"] = new JsonObject { ["http01"] = new JsonObject { ["gatewayHTTPRoute"] = solver.DeepClone() } } },
            }, "cert-manager-challenges");
        }

        if (!ServesGatewayApi())
        {
            return Wait(ns, challengeName, $"couldn't Present challenge {ns}/{challengeName}: gateway api is not enabled");
        }

        if (store.Get(Route, ns, solverName) is null)
        {
            store.Seed(new JsonObject
            {
                ["apiVersion"] = "v1", ["kind"] = "Service",
                ["metadata"] = new JsonObject { ["name"] = solverName, ["namespace"] = ns, ["labels"] = SolverLabels() },
                ["spec"] = new JsonObject { ["type"] = solver["serviceType"]?.GetValue<string>() ?? "NodePort", ["ports"] = new JsonArray(new JsonObject { ["name"] = "http", ["port"] = 8089 }) },
            }, "cert-manager-challenges");
            store.Seed(new JsonObject
            {
                ["apiVersion"] = "gateway.networking.k8s.io/v1", ["kind"] = "HTTPRoute",
                ["metadata"] = new JsonObject { ["name"] = solverName, ["namespace"] = ns, ["labels"] = SolverLabels() },
                ["spec"] = new JsonObject
                {
                    ["parentRefs"] = solver["parentRefs"]?.DeepClone(),
                    ["hostnames"] = new JsonArray(dnsName),
                    ["rules"] = new JsonArray(new JsonObject
                    {
                        ["matches"] = new JsonArray(new JsonObject { ["path"] = new JsonObject { ["type"] = "Exact", ["value"] = "/.well-known/acme-challenge/emulated-token" } }),
                        ["backendRefs"] = new JsonArray(new JsonObject { ["name"] = solverName, ["port"] = 8089 }),
                    }),
                },
            }, "cert-manager-challenges");
        }

        if (!Reachable(ns, store.Get(Route, ns, solverName)!))
        {
            return Wait(ns, challengeName, "Waiting for HTTP-01 challenge propagation: wrong status code '404', expected '200'");
        }

        // Valid: cert-manager cleans up the challenge, and with it (its owner) the solver's route and Service.
        foreach (var (type, item) in new[] { (Challenge, challengeName), (Route, solverName), (Service, solverName) })
        {
            store.Delete(type, ns, item, dryRun: false);
        }

        return null;
    }

    private (string, string) Wait(string ns, string challenge, string reason)
    {
        store.Mutate(Challenge, ns, challenge, item => item["status"] = new JsonObject { ["state"] = "pending", ["presented"] = false, ["processing"] = true, ["reason"] = reason });
        return ("DoesNotExist", "Issuing certificate as Secret does not exist");
    }

    // The ACME server's GET on port 80 reaches the solver through a parent that accepted the route on a programmed HTTP listener.
    private bool Reachable(string ns, JsonObject route) =>
        (route["status"]?["parents"] as JsonArray ?? []).OfType<JsonObject>().Any(parent =>
        {
            var conditions = (parent["conditions"] as JsonArray ?? []).OfType<JsonObject>().ToList();
            bool True(string type) => conditions.Any(condition => condition["type"]?.GetValue<string>() == type && condition["status"]?.GetValue<string>() == "True");
            var reference = parent["parentRef"]!;
            var gateway = store.Get(Gateway, reference["namespace"]?.GetValue<string>() ?? ns, reference["name"]!.GetValue<string>());
            var section = reference["sectionName"]?.GetValue<string>();
            var http = (gateway?["spec"]?["listeners"] as JsonArray ?? []).OfType<JsonObject>()
                .Where(listener => listener["protocol"]?.GetValue<string>() == "HTTP" && (section is null || listener["name"]?.GetValue<string>() == section))
                .Select(listener => listener["name"]!.GetValue<string>()).ToHashSet();
            var programmed = (gateway?["status"]?["listeners"] as JsonArray ?? []).OfType<JsonObject>().Any(listener =>
                http.Contains(listener["name"]!.GetValue<string>())
                && (listener["conditions"] as JsonArray ?? []).Any(condition => condition?["type"]?.GetValue<string>() == "Programmed" && condition["status"]?.GetValue<string>() == "True"));
            return True("Accepted") && True("ResolvedRefs") && programmed;
        });

    // Its configuration says so (the chart's config value, mounted for --config) and the controller runs.
    private bool ServesGatewayApi()
    {
        var controller = store.Get(Deployment, "cert-manager", "cert-manager");
        var args = (controller?["spec"]?["template"]?["spec"]?["containers"]?[0]?["args"] as JsonArray ?? []).Select(arg => arg!.GetValue<string>());
        var config = store.Get(ConfigMap, "cert-manager", "cert-manager")?["data"]?["config.yaml"]?.GetValue<string>() ?? string.Empty;
        return args.Contains("--config=/var/cert-manager/config/config.yaml")
            && config.Contains("gatewayAPI:\n  enabled: true", StringComparison.Ordinal)
            && (controller?["status"]?["availableReplicas"]?.GetValue<long>() ?? 0) > 0;
    }

    private static JsonObject SolverLabels() => new() { ["acme.cert-manager.io/http01-solver"] = "true", ["acme.cert-manager.io/http-token"] = "1234567" };
}
