using System.Collections.Concurrent;
using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json.Nodes;

namespace Registry.Build.Kubernetes;

/// <summary>
/// Resource requests by address, for any kind, over the Kubernetes client's own transport: its base address,
/// TLS and credentials, and the retry handler it was built with. The typed API has no way to server-side
/// apply an arbitrary object with a field manager, which is the one write the pipeline makes.
/// </summary>
public sealed class KubernetesApi(k8s.Kubernetes client)
{
    private readonly System.Collections.Concurrent.ConcurrentDictionary<string, IReadOnlyList<ResourceAddress>> discovered = new();

    /// <summary>The field manager every write of this pipeline is made as, so the API server tracks what it owns.</summary>
    public const string FieldManager = "registry-pipeline";

    // This run's view of the cluster: each object (or list) read once and shared by every step that compares with it,
    // replaced by what a write returns. A wait reads afresh with GetAsync, and what it saw replaces the old view too.
    private readonly ConcurrentDictionary<string, JsonObject?> objects = new();
    private readonly ConcurrentDictionary<string, Lazy<Task<JsonObject>>> lists = new();
    private readonly ConcurrentDictionary<string, Lazy<Task<JsonObject?>>> reading = new();
    private readonly ConcurrentDictionary<string, Lazy<Task<(int, string?)>>> answers = new();

    /// <summary>The object as it is now, or null when there is none (a fresh read, for waits and checks that must see a change).</summary>
    public async Task<JsonObject?> GetAsync(ResourceAddress address, CancellationToken cancellationToken)
    {
        using var response = await SendAsync(HttpMethod.Get, address.Path, null, null, cancellationToken, HttpStatusCode.NotFound);
        var live = response.StatusCode == HttpStatusCode.NotFound ? null : await ReadObjectAsync(response, cancellationToken);
        if (address is { Group: "", Plural: "namespaces" } && (live is null || live["metadata"]?["deletionTimestamp"] is not null))
        {
            // A namespace gone or going takes everything in it along: nothing read of it before holds.
            Forget();
        }

        objects[address.Path] = live?.DeepClone().AsObject();
        return live;
    }

    /// <summary>
    /// The object as this run knows it: read once (or taken from a list read by <see cref="ReadListAsync"/>), then
    /// as this run's own writes left it; null when there is none.
    /// </summary>
    public async Task<JsonObject?> ReadAsync(ResourceAddress address, CancellationToken cancellationToken)
    {
        if (objects.TryGetValue(address.Path, out var known))
        {
            return known?.DeepClone().AsObject();
        }

        // Reads of one object started together (the run's warm-up and a check) ask the server once.
        var read = reading.GetOrAdd(address.Path, _ => new Lazy<Task<JsonObject?>>(() => GetAsync(address, CancellationToken.None)));
        try
        {
            return (await read.Value.WaitAsync(cancellationToken))?.DeepClone().AsObject();
        }
        finally
        {
            if (read.Value.IsCompleted)
            {
                reading.TryRemove(new KeyValuePair<string, Lazy<Task<JsonObject?>>>(address.Path, read));
            }
        }
    }

    /// <summary>
    /// A list as this run read it once: every caller that asks the same gets the same answer, and each item becomes the
    /// run's view of that object. A kind the server does not serve lists nothing. A write to the kind reads it again.
    /// </summary>
    /// <param name="limit">At most this many items (a sample, as for telling the distribution from a few nodes).</param>
    public async Task<JsonObject> ReadListAsync(ResourceAddress collection, string? labelSelector, CancellationToken cancellationToken, int? limit = null)
    {
        var key = ListKey(collection, labelSelector) + (limit is { } most ? $"&limit={most}" : string.Empty);
        // Not the first caller's token: the list is shared, and a caller that gives up must not fail the others.
        var read = lists.GetOrAdd(key, _ => new Lazy<Task<JsonObject>>(() => ListIntoViewAsync(collection, labelSelector, CancellationToken.None, limit)));
        try
        {
            return (await read.Value.WaitAsync(cancellationToken)).DeepClone().AsObject();
        }
        catch (Exception) when (read.Value.IsFaulted || read.Value.IsCanceled)
        {
            lists.TryRemove(new KeyValuePair<string, Lazy<Task<JsonObject>>>(key, read));
            throw;
        }
    }

    private async Task<JsonObject> ListIntoViewAsync(ResourceAddress collection, string? labelSelector, CancellationToken cancellationToken, int? limit = null)
    {
        using var response = await SendAsync(HttpMethod.Get, collection.CollectionPath + Query(labelSelector, limit), null, null, cancellationToken, HttpStatusCode.NotFound);
        if (response.StatusCode == HttpStatusCode.NotFound)
        {
            return new JsonObject { ["items"] = new JsonArray() };
        }

        var list = await ReadObjectAsync(response, cancellationToken);
        var kind = list["kind"]?.GetValue<string>() is { } listKind && listKind.EndsWith("List", StringComparison.Ordinal) ? listKind[..^4] : collection.Kind;
        foreach (var item in list["items"]?.AsArray().OfType<JsonObject>() ?? [])
        {
            // A List's items carry neither kind nor apiVersion; a GET of the same object would.
            item["kind"] ??= kind;
            item["apiVersion"] ??= list["apiVersion"]?.DeepClone();
            if (item["metadata"]?["name"]?.GetValue<string>() is { } name)
            {
                objects[(collection with { Namespace = item["metadata"]?["namespace"]?.GetValue<string>(), Name = name }).Path] = item.DeepClone().AsObject();
            }
        }

        return list;
    }

    /// <summary>Drops the run's view: every object and list is read from the server again when next asked.</summary>
    public void Forget()
    {
        objects.Clear();
        lists.Clear();
        reading.Clear();
        answers.Clear();
    }

    private static string ListKey(ResourceAddress collection, string? labelSelector) => collection.CollectionPath + "?" + labelSelector;

    // After a write, the view of the object is what the server answered, and lists of its kind are read again when next asked.
    private void Wrote(ResourceAddress address, JsonObject? now)
    {
        // What a service answered may change with any write (its pods, its config): asked again.
        answers.Clear();
        objects[address.Path] = now?.DeepClone().AsObject();
        var plural = $"/{address.Plural}?";
        foreach (var key in lists.Keys.Where(key => key.Contains(plural, StringComparison.Ordinal)))
        {
            lists.TryRemove(key, out _);
        }
    }

    /// <summary>The list as it is now, and from now on the run's view of that list and its items.</summary>
    public async Task<JsonObject> ListAsync(ResourceAddress collection, string? labelSelector, CancellationToken cancellationToken)
    {
        var list = await ListIntoViewAsync(collection, labelSelector, cancellationToken);
        lists[ListKey(collection, labelSelector)] = new Lazy<Task<JsonObject>>(Task.FromResult(list.DeepClone().AsObject()));
        return list;
    }

    private static string Query(string? labelSelector, int? limit)
    {
        var parameters = new List<string>();
        if (labelSelector is not null)
        {
            parameters.Add("labelSelector=" + Uri.EscapeDataString(labelSelector));
        }

        if (limit is { } most)
        {
            parameters.Add($"limit={most}");
        }

        return parameters.Count == 0 ? string.Empty : "?" + string.Join('&', parameters);
    }

    /// <summary>Server-side apply: creates the object or makes the fields this pipeline manages what it says.</summary>
    /// <param name="fieldManager">Another manager than the pipeline's, for a field its applies must not remove.</param>
    public async Task<JsonObject> ApplyAsync(ResourceAddress address, JsonObject desired, bool dryRun, CancellationToken cancellationToken, string fieldManager = FieldManager)
    {
        var query = $"?fieldManager={fieldManager}&force=true" + (dryRun ? "&dryRun=All" : string.Empty);
        using var response = await SendAsync(
            HttpMethod.Patch, address.Path + query, desired.ToJsonString(), "application/apply-patch+yaml", cancellationToken);
        var applied = await ReadObjectAsync(response, cancellationToken);
        if (!dryRun)
        {
            Wrote(address, applied);
        }

        return applied;
    }

    /// <summary>A plain create (POST); with <paramref name="dryRun"/> the server runs every check, admission webhooks included, and stores nothing.</summary>
    public async Task<JsonObject> CreateAsync(ResourceAddress address, JsonObject body, bool dryRun, CancellationToken cancellationToken)
    {
        using var response = await SendAsync(
            HttpMethod.Post, address.CollectionPath + (dryRun ? "?dryRun=All" : string.Empty), body.ToJsonString(), "application/json", cancellationToken);
        var created = await ReadObjectAsync(response, cancellationToken);
        if (!dryRun && created["metadata"]?["name"]?.GetValue<string>() is { } name)
        {
            Wrote(address with { Name = name }, created);
        }

        return created;
    }

    /// <summary>A replace (PUT) that fails with 409 when the object changed since <c>metadata.resourceVersion</c> was read.</summary>
    public async Task<JsonObject> ReplaceAsync(ResourceAddress address, JsonObject body, CancellationToken cancellationToken)
    {
        using var response = await SendAsync(HttpMethod.Put, address.Path, body.ToJsonString(), "application/json", cancellationToken);
        var replaced = await ReadObjectAsync(response, cancellationToken);
        Wrote(address, replaced);
        return replaced;
    }

    /// <param name="propagation">How what the object owns goes: Background or Foreground; else the kind's default (a Job's leaves its pods running).</param>
    /// <param name="preconditionResourceVersion">Delete only the object as it was at that resourceVersion (409 otherwise).</param>
    /// <returns>False when there was nothing to delete.</returns>
    public async Task<bool> DeleteAsync(ResourceAddress address, CancellationToken cancellationToken, string? propagation = null, string? preconditionResourceVersion = null)
    {
        var options = preconditionResourceVersion is null
            ? null
            : new JsonObject { ["kind"] = "DeleteOptions", ["apiVersion"] = "v1", ["preconditions"] = new JsonObject { ["resourceVersion"] = preconditionResourceVersion } }.ToJsonString();
        using var response = await SendAsync(
            HttpMethod.Delete, address.Path + (propagation is null ? string.Empty : $"?propagationPolicy={propagation}"), options, null, cancellationToken, HttpStatusCode.NotFound);
        // Gone, or going (finalizers): either way the next read asks the server.
        Wrote(address, null);
        objects.TryRemove(address.Path, out _);
        return response.StatusCode != HttpStatusCode.NotFound;
    }

    /// <summary>The last lines a container wrote (of its previous run when it crashed), or null when there are none.</summary>
    /// <param name="lines">How many of the last lines; null for all of them.</param>
    public async Task<string?> LogAsync(string ns, string pod, string container, int? lines, bool previous, CancellationToken cancellationToken)
    {
        var path = $"/api/v1/namespaces/{ns}/pods/{pod}/log?container={Uri.EscapeDataString(container)}" + (lines is { } tail ? $"&tailLines={tail}" : string.Empty) + (previous ? "&previous=true" : string.Empty);
        using var response = await SendAsync(HttpMethod.Get, path, null, null, cancellationToken, HttpStatusCode.BadRequest);
        return response.IsSuccessStatusCode ? await response.Content.ReadAsStringAsync(cancellationToken) : null;
    }

    /// <summary>
    /// What a Service answered through the API server's proxy, as <see cref="ProxyGetAsync"/> asks it, once until this
    /// run writes anything: a check that a write could not have changed shares the answer read ahead.
    /// </summary>
    public async Task<(int Status, string? Challenge)> ReadProxyAsync(string ns, string service, int port, string path, CancellationToken cancellationToken)
    {
        var key = $"{ns}/{service}:{port}/{path}";
        var answer = answers.GetOrAdd(key, _ => new Lazy<Task<(int, string?)>>(() => ProxyGetAsync(ns, service, port, path, CancellationToken.None)));
        try
        {
            return await answer.Value.WaitAsync(cancellationToken);
        }
        catch (Exception) when (answer.Value.IsFaulted || answer.Value.IsCanceled)
        {
            // A request that failed is made again by the next caller, as if it had not been read ahead.
            answers.TryRemove(new KeyValuePair<string, Lazy<Task<(int, string?)>>>(key, answer));
            throw;
        }
    }

    /// <summary>
    /// A GET through the API server's proxy to a Service's port, as any runner that reaches the API server can make:
    /// the status and the <c>WWW-Authenticate</c> challenge the service answered with.
    /// </summary>
    public async Task<(int Status, string? Challenge)> ProxyGetAsync(string ns, string service, int port, string path, CancellationToken cancellationToken)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, new Uri(client.BaseUri, $"api/v1/namespaces/{ns}/services/{service}:{port}/proxy/{path.TrimStart('/')}"));
        if (client.Credentials is { } credentials)
        {
            await credentials.ProcessHttpRequestAsync(request, cancellationToken);
        }

        using var response = await client.HttpClient.SendAsync(request, cancellationToken);
        var challenge = response.Headers.WwwAuthenticate.FirstOrDefault()?.ToString();
        return ((int)response.StatusCode, challenge);
    }

    /// <summary>
    /// Every namespaced resource the API server serves and lets clients list, each group at its preferred version. A
    /// group whose discovery fails (an aggregated API that is down) is returned in <paramref name="unavailable"/>.
    /// </summary>
    public async Task<IReadOnlyList<ResourceAddress>> NamespacedResourcesAsync(List<string> unavailable, CancellationToken cancellationToken)
    {
        var groupVersions = new List<(string Group, string Version)> { (string.Empty, "v1") };
        using (var response = await SendAsync(HttpMethod.Get, "/apis", null, null, cancellationToken))
        {
            var groups = await ReadObjectAsync(response, cancellationToken);
            foreach (var group in groups["groups"]?.AsArray().OfType<JsonObject>() ?? [])
            {
                groupVersions.Add((group["name"]!.GetValue<string>(), group["preferredVersion"]!["version"]!.GetValue<string>()));
            }
        }

        var resources = new List<ResourceAddress>();
        foreach (var (group, version) in groupVersions)
        {
            IReadOnlyList<ResourceAddress> served;
            try
            {
                served = await ResourcesAsync(group, version, cancellationToken);
            }
            catch (KubernetesApiException)
            {
                unavailable.Add(group);
                continue;
            }

            resources.AddRange(served.Where(resource => resource.Namespace is not null));
        }

        return resources;
    }

    // A group version's listable resources (subresources left out), read once per connection; a namespaced one
    // carries an empty namespace, a cluster-scoped one none.
    private async Task<IReadOnlyList<ResourceAddress>> ResourcesAsync(string group, string version, CancellationToken cancellationToken)
    {
        var key = $"{group}/{version}";
        if (discovered.TryGetValue(key, out var known))
        {
            return known;
        }

        // A group the server does not serve (cert-manager uninstalled) has no resources, and so no objects.
        using var response = await SendAsync(
            HttpMethod.Get, group.Length == 0 ? $"/api/{version}" : $"/apis/{group}/{version}", null, null, cancellationToken, HttpStatusCode.NotFound);
        var list = response.StatusCode == HttpStatusCode.NotFound ? new JsonObject() : await ReadObjectAsync(response, cancellationToken);
        var resources = (list["resources"]?.AsArray().OfType<JsonObject>() ?? [])
            .Where(resource => !resource["name"]!.GetValue<string>().Contains('/')
                && resource["verbs"]?.AsArray().Any(verb => verb?.GetValue<string>() == "list") == true)
            .Select(resource => new ResourceAddress(
                group, version, resource["name"]!.GetValue<string>(), resource["kind"]!.GetValue<string>(),
                resource["namespaced"]?.GetValue<bool>() == true ? string.Empty : null, string.Empty))
            .ToList();
        discovered[key] = resources;
        return resources;
    }

    /// <summary>GET /version: the cheapest request that proves the server answers and accepts the credentials.</summary>
    public async Task<string> VersionAsync(CancellationToken cancellationToken)
    {
        using var response = await SendAsync(HttpMethod.Get, "/version", null, null, cancellationToken);
        var version = await ReadObjectAsync(response, cancellationToken);
        return version["gitVersion"]?.GetValue<string>() ?? "unknown";
    }

    private async Task<HttpResponseMessage> SendAsync(
        HttpMethod method, string pathAndQuery, string? body, string? contentType, CancellationToken cancellationToken, HttpStatusCode? tolerated = null)
    {
        using var request = new HttpRequestMessage(method, new Uri(client.BaseUri, pathAndQuery.TrimStart('/')));
        request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue("application/json"));
        if (body is not null)
        {
            request.Content = new StringContent(body, Encoding.UTF8);
            request.Content.Headers.ContentType = new MediaTypeHeaderValue(contentType ?? "application/json");
        }

        if (client.Credentials is { } credentials)
        {
            await credentials.ProcessHttpRequestAsync(request, cancellationToken);
        }

        var response = await client.HttpClient.SendAsync(request, cancellationToken);
        if (response.IsSuccessStatusCode || response.StatusCode == tolerated)
        {
            return response;
        }

        using (response)
        {
            var text = await response.Content.ReadAsStringAsync(cancellationToken);
            throw new KubernetesApiException(method.Method, pathAndQuery.Split('?')[0], response.StatusCode, KubernetesApiException.MessageFrom(text));
        }
    }

    private static async Task<JsonObject> ReadObjectAsync(HttpResponseMessage response, CancellationToken cancellationToken)
    {
        await using var stream = await response.Content.ReadAsStreamAsync(cancellationToken);
        return await JsonNode.ParseAsync(stream, cancellationToken: cancellationToken) as JsonObject
            ?? throw new InvalidDataException($"The API server answered {response.RequestMessage?.RequestUri} with something that is not a JSON object.");
    }
}
