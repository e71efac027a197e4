using System.Collections.Concurrent;
using System.Globalization;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace Registry.Build.Tests.Fixtures.Kubernetes;

/// <summary>
/// A Kubernetes API server in-process, on 127.0.0.1 and a free port, that the real KubernetesClient talks to
/// over HTTP: discovery, get, list with label selectors, create, replace, patch (apply, merge, JSON patch),
/// delete and dry runs, for the resources in <see cref="ResourceCatalogue"/>. It records every request,
/// injects faults on chosen ones, and plays the controllers the pipeline waits on.
/// </summary>
public sealed class EmulatedApiServer : IAsyncDisposable
{
    public const string Token = "emulated-token";

    private readonly WebApplication app;
    private readonly EmulatedControllers controllers;
    private readonly ConcurrentQueue<RecordedRequest> requests = new();
    private readonly List<FaultRule> faults = [];

    private EmulatedApiServer(WebApplication app, ControllerBehaviour behaviour)
    {
        this.app = app;
        Behaviour = behaviour;
        controllers = new EmulatedControllers(Store, behaviour, Node, PodLogs);
        app.Run(HandleAsync);
    }

    public ObjectStore Store { get; } = new();

    /// <summary>The node that runs the cluster's pods: its disk, its platform and the registries it reaches.</summary>
    public EmulatedNode Node { get; } = new();

    /// <summary>
    /// Serve requests without credentials, as an API server with anonymous auth and a permissive authorizer does:
    /// kubectl (client-go) sends no bearer token over plain HTTP.
    /// </summary>
    public bool AllowAnonymous { get; set; }

    public ControllerBehaviour Behaviour { get; }

    public Uri Address { get; private set; } = null!;

    public IReadOnlyList<RecordedRequest> Requests => [.. requests];

    /// <summary>
    /// What a chart's installation puts in the cluster, by release name: a fake helm posts to
    /// <c>/emulator/install/NAME</c>, as the real one would create the chart's objects.
    /// </summary>
    public Dictionary<string, Action> Installers { get; } = [];

    /// <summary>What each container has written, by (namespace, pod, container), for the pods/log subresource.</summary>
    public ConcurrentDictionary<(string Namespace, string Pod, string Container), string> PodLogs { get; } = new();

    /// <summary>Where the API server's service proxy forwards to, by "namespace/service:port".</summary>
    public Dictionary<string, Uri> ServiceBackends { get; } = [];

    /// <summary>How long each request takes on the wire, as from a CI runner far from the cluster (the converge benchmark).</summary>
    public TimeSpan Latency { get; set; }

    private static readonly HttpClient Proxy = new();

    /// <summary>The writes that changed the cluster: POST, PUT, PATCH and DELETE that were not dry runs.</summary>
    public IReadOnlyList<RecordedRequest> MutatingRequests => [.. requests.Where(request => request.Mutating)];

    /// <summary>The writes to anything but the pipeline's run lock (a Lease), which every Deploy takes and gives back.</summary>
    public IReadOnlyList<RecordedRequest> ClusterWrites => [.. MutatingRequests.Where(request => !request.Path.Contains("/leases/", StringComparison.Ordinal) && !request.Path.EndsWith("/leases", StringComparison.Ordinal))];

    public static async Task<EmulatedApiServer> StartAsync(ControllerBehaviour? behaviour = null)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        var server = new EmulatedApiServer(builder.Build(), behaviour ?? new ControllerBehaviour());
        await server.app.StartAsync();
        server.Address = new Uri(server.app.Urls.First());
        // What every cluster starts with.
        foreach (var ns in new[] { "default", "kube-system", "kube-public" })
        {
            server.Store.Seed(new JsonObject
            {
                ["apiVersion"] = "v1",
                ["kind"] = "Namespace",
                ["metadata"] = new JsonObject { ["name"] = ns },
            });
        }

        return server;
    }

    public void ForgetRequests() => requests.Clear();

    /// <summary>Answers the next <paramref name="times"/> requests that match with the fault instead.</summary>
    public void InjectFault(Func<RecordedRequest, bool> matches, Fault fault, int times = 1)
    {
        lock (faults)
        {
            faults.Add(new FaultRule(matches, fault, times));
        }
    }

    /// <summary>A kubeconfig whose only context points here.</summary>
    public string WriteKubeconfig(string directory, string context = "emulated", string token = Token)
    {
        var path = Path.Combine(directory, $"kubeconfig-{context}");
        File.WriteAllText(path, $"""
            apiVersion: v1
            kind: Config
            clusters:
            - name: emulated
              cluster:
                server: {Address.ToString().TrimEnd('/')}
            contexts:
            - name: {context}
              context:
                cluster: emulated
                user: tester
                namespace: default
            current-context: {context}
            users:
            - name: tester
              user:
                token: {token}
            """);
        return path;
    }

    public async ValueTask DisposeAsync()
    {
        await controllers.DisposeAsync();
        await app.StopAsync();
        await app.DisposeAsync();
    }

    private async Task HandleAsync(HttpContext http)
    {
        if (http.Request.Path.StartsWithSegments("/emulator/install", out var release))
        {
            if (Installers.TryGetValue(release.Value!.Trim('/'), out var install))
            {
                install();
                http.Response.StatusCode = 204;
            }
            else
            {
                http.Response.StatusCode = 404;
            }

            return;
        }

        var request = new RecordedRequest(
            http.Request.Method, http.Request.Path.Value ?? "/", http.Request.QueryString.Value?.TrimStart('?') ?? string.Empty, http.Request.ContentType);
        requests.Enqueue(request);
        if (Latency > TimeSpan.Zero)
        {
            // A distant API server: every request waits a round trip before it is answered.
            await Task.Delay(Latency, http.RequestAborted);
        }

        Fault? fault;
        lock (faults)
        {
            fault = faults.FirstOrDefault(rule => rule.TryTake(request))?.Fault;
        }

        switch (fault)
        {
            case Fault.DropConnection:
                http.Abort();
                return;
            case Fault.Delay delay:
                await Task.Delay(delay.Time, http.RequestAborted);
                break;
            case Fault.Answer answer:
                if (answer.RetryAfter is { } retryAfter)
                {
                    http.Response.Headers.RetryAfter = ((int)Math.Ceiling(retryAfter.TotalSeconds)).ToString(CultureInfo.InvariantCulture);
                }

                await WriteAsync(http, StoreResult.Error(answer.StatusCode, answer.StatusCode == 422 ? "Invalid" : "Failure", answer.Message));
                return;
        }

        if (http.Request.Headers.Authorization.ToString() != $"Bearer {Token}" && !(AllowAnonymous && http.Request.Headers.Authorization.Count == 0))
        {
            await WriteAsync(http, StoreResult.Error(401, "Unauthorized", "Unauthorized"));
            return;
        }

        if (request.Path.Split('/', StringSplitOptions.RemoveEmptyEntries) is ["api", "v1", "namespaces", var logNamespace, "pods", var pod, "log"])
        {
            var container = http.Request.Query["container"].FirstOrDefault() ?? string.Empty;
            if (PodLogs.TryGetValue((logNamespace, pod, container), out var log))
            {
                var lines = int.TryParse(http.Request.Query["tailLines"].FirstOrDefault(), out var tail) ? tail : int.MaxValue;
                http.Response.ContentType = "text/plain";
                // A container that wrote nothing yet has an empty log, not an empty line.
                await http.Response.WriteAsync(log.Length == 0 ? string.Empty : string.Join('\n', log.TrimEnd('\n').Split('\n').TakeLast(lines)) + "\n");
                return;
            }

            await WriteAsync(http, StoreResult.Error(400, "BadRequest", $"container \"{container}\" in pod \"{pod}\" has no log"));
            return;
        }

        await WriteAsync(http, await RouteAsync(http, request));
    }

    private async Task<StoreResult> RouteAsync(HttpContext http, RecordedRequest request)
    {
        var segments = request.Path.Trim('/').Split('/', StringSplitOptions.RemoveEmptyEntries);
        switch (segments)
        {
            case ["version"]:
                return new StoreResult(200, new JsonObject { ["major"] = "1", ["minor"] = "34", ["gitVersion"] = "v1.34.0-emulated", ["platform"] = "linux/amd64" });
            case ["api"]:
                return new StoreResult(200, new JsonObject { ["kind"] = "APIVersions", ["versions"] = new JsonArray("v1") });
            case ["apis"]:
                return new StoreResult(200, Groups());
            case ["api", var version]:
                return new StoreResult(200, Resources(string.Empty, version));
            case ["apis", var group, var version]:
                return ResourceCatalogue.All.Any(type => type.Group == group && type.Version == version)
                    ? new StoreResult(200, Resources(group, version))
                    : StoreResult.Error(404, "NotFound", "the server could not find the requested resource");
        }

        if (segments is ["api", "v1", "namespaces", var serviceNamespace, "services", var service, "proxy", .. var rest])
        {
            return await ProxyAsync(http, $"{serviceNamespace}/{service}", string.Join('/', rest));
        }

        if (!TryResolve(segments, out var type, out var ns, out var name))
        {
            return StoreResult.Error(404, "NotFound", "the server could not find the requested resource");
        }

        var query = http.Request.Query;
        var dryRun = request.DryRun;
        var manager = query["fieldManager"].FirstOrDefault() ?? "unknown";
        switch (request.Method, name)
        {
            case ("GET", null):
                return new StoreResult(200, ListOf(type, ns, query["labelSelector"].FirstOrDefault()));
            case ("GET", { } _):
                return Store.Get(type, ns, name!) is { } item ? new StoreResult(200, item) : StoreResult.Error(404, "NotFound", $"{type.Plural} \"{name}\" not found");
            case ("POST", null):
                return Store.Create(type, ns, await ReadObjectAsync(http), manager, dryRun);
            case ("PUT", _):
                return Store.Replace(type, ns, name!, await ReadObjectAsync(http), manager, dryRun);
            case ("DELETE", _):
                return Store.Delete(type, ns, name!, dryRun);
            case ("PATCH", _):
                var contentType = request.ContentType?.Split(';')[0];
                if (contentType == "application/apply-patch+yaml")
                {
                    if (manager == "unknown")
                    {
                        return StoreResult.Error(400, "BadRequest", "PatchOptions.meta.k8s.io \"\" is invalid: fieldManager: Required value: is required for apply patch");
                    }

                    return Store.Apply(type, ns, name!, await ReadObjectAsync(http), manager, query["force"].FirstOrDefault() == "true", dryRun);
                }

                if (contentType == "application/json-patch+json")
                {
                    var body = await JsonNode.ParseAsync(http.Request.Body);
                    return Store.JsonPatch(type, ns, name!, body!.AsArray(), manager, dryRun);
                }

                return Store.MergePatch(type, ns, name!, await ReadObjectAsync(http), manager, dryRun);
            default:
                return StoreResult.Error(405, "MethodNotAllowed", $"{request.Method} is not supported here");
        }
    }

    private async Task<StoreResult> ProxyAsync(HttpContext http, string service, string path)
    {
        // As the API server: a Service that does not exist is a 404 before any endpoint is looked for.
        var (ns, name) = (service.Split('/')[0], service.Split('/')[1].Split(':')[0]);
        if (Store.Get(ResourceCatalogue.OfKind("v1", "Service"), ns, name) is null)
        {
            return StoreResult.Error(404, "NotFound", $"services \"{name}\" not found");
        }

        if (!ServiceBackends.TryGetValue(service, out var backend))
        {
            return StoreResult.Error(503, "ServiceUnavailable", $"no endpoints available for service \"{service}\"");
        }

        using var response = await Proxy.GetAsync(new Uri(backend, path));
        http.Response.StatusCode = (int)response.StatusCode;
        foreach (var challenge in response.Headers.WwwAuthenticate)
        {
            http.Response.Headers.Append("WWW-Authenticate", challenge.ToString());
        }

        var body = await response.Content.ReadAsStringAsync();
        return new StoreResult((int)response.StatusCode, new JsonObject { ["proxied"] = body });
    }

    private static bool TryResolve(string[] segments, out ResourceType type, out string? ns, out string? name)
    {
        type = null!;
        ns = null;
        name = null;
        string group, version;
        string[] rest;
        switch (segments)
        {
            case ["api", var v, .. var tail]:
                (group, version, rest) = (string.Empty, v, tail);
                break;
            case ["apis", var g, var v, .. var tail]:
                (group, version, rest) = (g, v, tail);
                break;
            default:
                return false;
        }

        string plural;
        switch (rest)
        {
            case ["namespaces", var namespaceName, var resource, .. var item] when item.Length <= 1:
                (ns, plural, name) = (namespaceName, resource, item.FirstOrDefault());
                break;
            case [var resource, .. var item] when item.Length <= 1:
                (plural, name) = (resource, item.FirstOrDefault());
                break;
            default:
                return false;
        }

        var found = ResourceCatalogue.Find(group, version, plural);
        // Besides its own scope, a namespaced resource can be listed across all namespaces.
        if (found is null || (found.Namespaced != (ns is not null) && !(found.Namespaced && ns is null && name is null)))
        {
            return false;
        }

        type = found;
        return true;
    }

    private JsonObject ListOf(ResourceType type, string? ns, string? labelSelector)
    {
        var selector = LabelSelector.Parse(labelSelector);
        var items = new JsonArray(Store.List(type, ns, selector).Select(item => (JsonNode)item).ToArray());
        return new JsonObject
        {
            ["apiVersion"] = type.ApiVersion,
            ["kind"] = type.Kind + "List",
            ["metadata"] = new JsonObject { ["resourceVersion"] = Store.ResourceVersion },
            ["items"] = items,
        };
    }

    private static JsonObject Groups() => new()
    {
        ["kind"] = "APIGroupList",
        ["apiVersion"] = "v1",
        ["groups"] = new JsonArray(ResourceCatalogue.All
            .Where(type => type.Group.Length > 0)
            .GroupBy(type => type.Group)
            .Select(group => (JsonNode)new JsonObject
            {
                ["name"] = group.Key,
                ["versions"] = new JsonArray(group.Select(type => type.Version).Distinct()
                    .Select(version => (JsonNode)new JsonObject { ["groupVersion"] = $"{group.Key}/{version}", ["version"] = version }).ToArray()),
                ["preferredVersion"] = new JsonObject { ["groupVersion"] = $"{group.Key}/{group.First().Version}", ["version"] = group.First().Version },
            })
            .ToArray()),
    };

    private static JsonObject Resources(string group, string version) => new()
    {
        ["kind"] = "APIResourceList",
        ["groupVersion"] = group.Length == 0 ? version : $"{group}/{version}",
        ["resources"] = new JsonArray(ResourceCatalogue.All
            .Where(type => type.Group == group && type.Version == version)
            .Select(type => (JsonNode)new JsonObject
            {
                ["name"] = type.Plural,
                ["kind"] = type.Kind,
                ["namespaced"] = type.Namespaced,
                ["verbs"] = new JsonArray("create", "delete", "get", "list", "patch", "update"),
            })
            .ToArray()),
    };

    private static async Task<JsonObject> ReadObjectAsync(HttpContext http)
    {
        using var reader = new StreamReader(http.Request.Body);
        var text = await reader.ReadToEndAsync();
        return JsonNode.Parse(text)?.AsObject() ?? [];
    }

    private static async Task WriteAsync(HttpContext http, StoreResult result)
    {
        http.Response.StatusCode = result.Code;
        http.Response.ContentType = "application/json";
        await http.Response.WriteAsync(result.Body.ToJsonString());
    }
}
