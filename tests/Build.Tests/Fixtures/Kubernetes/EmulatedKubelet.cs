using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Security;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Registry.Build.Registry;

namespace Registry.Build.Tests.Fixtures.Kubernetes;

/// <summary>
/// The kubelet and containerd of <see cref="EmulatedNode"/>, for image pulls: for a new Pod it pulls each container's
/// image for real over the OCI distribution API, from the registry the node reaches for the image's host, with the
/// Pod's pull secrets, verifying TLS against what <c>/etc/containerd/certs.d/&lt;host&gt;/</c> on the node says to
/// trust, and the manifest and every blob against their digests. It reports as the kubelet does: <c>Pulling</c>,
/// <c>Pulled</c> or <c>Failed</c> events, and the container waiting with <c>ErrImagePull</c> and containerd's message.
/// </summary>
public sealed partial class EmulatedKubelet(ObjectStore store, EmulatedNode node)
{
    private static readonly ResourceType Pod = ResourceCatalogue.OfKind("v1", "Pod");
    private static readonly ResourceType Event = ResourceCatalogue.OfKind("v1", "Event");
    private static readonly ResourceType Secret = ResourceCatalogue.OfKind("v1", "Secret");

    private static readonly string[] ManifestTypes =
    [
        "application/vnd.oci.image.index.v1+json",
        "application/vnd.docker.distribution.manifest.list.v2+json",
        "application/vnd.oci.image.manifest.v1+json",
        "application/vnd.docker.distribution.manifest.v2+json",
    ];

    private static readonly ResourceType ConfigMap = ResourceCatalogue.OfKind("v1", "ConfigMap");

    private readonly ConcurrentDictionary<string, Task> started = new();
    private readonly Dictionary<(string Namespace, string Name), Dictionary<string, string>> written = [];
    private int events;

    /// <summary>Starts the pulls of a Pod the node has not seen yet; called by the controllers' loop for every Pod.</summary>
    public void Reconcile(string ns, string name, JsonObject pod)
    {
        // A Pod with a status is one a test put in place as it is, not one for this node to start.
        if (pod["status"] is not null || pod["metadata"]?["uid"]?.GetValue<string>() is not { } uid || pod["metadata"]?["deletionTimestamp"] is not null)
        {
            return;
        }

        started.GetOrAdd(uid, _ => Task.Run(() => StartAsync(ns, name, uid, pod)));
    }

    /// <summary>
    /// Whether the node can start a DaemonSet's pod: every ConfigMap and Secret its volumes project exists (else
    /// the kubelet reports FailedMount and the pod stays ContainerCreating).
    /// </summary>
    public bool CanMount(string ns, JsonObject daemonSet) =>
        Sources(daemonSet).All(source => store.Get(source.Kind == "configMap" ? ConfigMap : Secret, ns, source.Name) is not null);

    /// <summary>
    /// What the NodeTrust container's loop does on this node (k8s/node-trust-daemonset.yaml, whose script a test runs
    /// for real under busybox): copy each file of its projected volume into the hostPath directory it mounts.
    /// DaemonSets without a hostPath do nothing to the node's disk.
    /// </summary>
    public void RunOnNode(string ns, string name, JsonObject daemonSet)
    {
        if (WritesTo(daemonSet) is not { } directory)
        {
            return;
        }

        var files = new Dictionary<string, string>();
        foreach (var source in Sources(daemonSet))
        {
            var item = store.Get(source.Kind == "configMap" ? ConfigMap : Secret, ns, source.Name);
            foreach (var (key, path) in source.Items)
            {
                if (item?["data"]?[key]?.GetValue<string>() is { } value)
                {
                    files[$"{directory}/{path}"] = source.Kind == "configMap" ? value : Encoding.UTF8.GetString(Convert.FromBase64String(value));
                }
            }
        }

        foreach (var (path, content) in files)
        {
            node.Files[path] = content;
        }

        written[(ns, name)] = files;
    }

    /// <summary>
    /// The TERM trap of the pods of DaemonSets that are gone: each file they wrote is removed if it still holds what
    /// they wrote; anything else on the node stays.
    /// </summary>
    public void StopGone(IEnumerable<(string Namespace, string Name)> running)
    {
        foreach (var gone in written.Keys.Except(running).ToList())
        {
            foreach (var (path, content) in written[gone])
            {
                if (node.Files.TryGetValue(path, out var now) && now == content)
                {
                    node.Files.TryRemove(path, out _);
                }
            }

            written.Remove(gone);
        }
    }

    private static string? WritesTo(JsonObject daemonSet)
    {
        var spec = daemonSet["spec"]?["template"]?["spec"];
        var hostPaths = (spec?["volumes"] as JsonArray ?? []).Where(volume => volume?["hostPath"] is not null)
            .ToDictionary(volume => volume!["name"]!.GetValue<string>(), volume => volume!["hostPath"]!["path"]!.GetValue<string>());
        return (spec?["containers"] as JsonArray ?? [])
            .SelectMany(container => container?["volumeMounts"] as JsonArray ?? [])
            .Select(mount => hostPaths.GetValueOrDefault(mount!["name"]!.GetValue<string>()))
            .FirstOrDefault(path => path is not null)?.TrimEnd('/');
    }

    private static IEnumerable<(string Kind, string Name, IReadOnlyList<(string Key, string Path)> Items)> Sources(JsonObject daemonSet)
    {
        foreach (var volume in daemonSet["spec"]?["template"]?["spec"]?["volumes"] as JsonArray ?? [])
        {
            foreach (var source in volume?["projected"]?["sources"] as JsonArray ?? [])
            {
                foreach (var kind in new[] { "configMap", "secret" })
                {
                    if (source?[kind] is { } reference)
                    {
                        yield return (kind, reference["name"]!.GetValue<string>(),
                            [.. (reference["items"] as JsonArray ?? []).Select(item => (item!["key"]!.GetValue<string>(), item["path"]!.GetValue<string>()))]);
                    }
                }
            }
        }
    }

    /// <summary>Waits for the pulls started so far, so a test's dispose does not race them.</summary>
    public Task DrainAsync() => Task.WhenAll(started.Values);

    private async Task StartAsync(string ns, string name, string uid, JsonObject pod)
    {
        var logins = Logins(ns, name, uid, pod);
        var statuses = new JsonArray();
        foreach (var container in pod["spec"]?["containers"] as JsonArray ?? [])
        {
            var image = container!["image"]!.GetValue<string>();
            var containerName = container["name"]!.GetValue<string>();
            Record(ns, name, uid, containerName, "Normal", "Pulling", $"Pulling image \"{image}\"");
            var clock = Stopwatch.StartNew();
            var (error, size, hasCommand) = await PullAsync(image, logins);
            if (error is not null)
            {
                Record(ns, name, uid, containerName, "Warning", "Failed", $"Failed to pull image \"{image}\": {error}");
                Record(ns, name, uid, containerName, "Warning", "Failed", "Error: ErrImagePull");
                statuses.Add(Status(containerName, image, null, new JsonObject { ["reason"] = "ErrImagePull", ["message"] = error }));
                continue;
            }

            var took = $"{clock.ElapsedMilliseconds}ms";
            Record(ns, name, uid, containerName, "Normal", "Pulled", $"Successfully pulled image \"{image}\" in {took} ({took} including waiting). Image size: {size} bytes.");
            var command = container["command"] is JsonArray { Count: > 0 } || hasCommand;
            statuses.Add(command
                ? Status(containerName, image, "sha256:pulled", null, running: true)
                // The kubelet fills imageID only once a container was created from the image.
                : Status(containerName, image, null, new JsonObject
                {
                    // What containerd says of an image with neither entrypoint nor cmd when the pod gives no command.
                    ["reason"] = "CreateContainerError",
                    ["message"] = "failed to generate container spec: failed to apply OCI options: no command specified",
                }));
        }

        store.Mutate(Pod, ns, name, item =>
        {
            if (item["metadata"]?["uid"]?.GetValue<string>() == uid)
            {
                item["status"] = new JsonObject { ["phase"] = "Pending", ["containerStatuses"] = statuses };
            }
        });
    }

    private static JsonObject Status(string name, string image, string? imageId, JsonObject? waiting, bool running = false) => new()
    {
        ["name"] = name,
        ["image"] = image,
        ["imageID"] = imageId ?? string.Empty,
        ["ready"] = false,
        ["restartCount"] = 0,
        ["state"] = running
            ? new JsonObject { ["running"] = new JsonObject { ["startedAt"] = DateTimeOffset.UtcNow.ToString("yyyy-MM-ddTHH:mm:ssZ") } }
            : new JsonObject { ["waiting"] = waiting },
    };

    /// <summary>The logins of the Pod's pull secrets, by registry host; a secret that cannot be read is reported, as the kubelet does.</summary>
    private Dictionary<string, string> Logins(string ns, string name, string uid, JsonObject pod)
    {
        var logins = new Dictionary<string, string>();
        var missing = new List<string>();
        foreach (var reference in pod["spec"]?["imagePullSecrets"] as JsonArray ?? [])
        {
            var secretName = reference!["name"]!.GetValue<string>();
            var secret = store.Get(Secret, ns, secretName);
            if (secret?["data"]?[PullSecret.Key]?.GetValue<string>() is not { } data)
            {
                missing.Add(secretName);
                continue;
            }

            var config = JsonNode.Parse(Encoding.UTF8.GetString(Convert.FromBase64String(data)))!;
            foreach (var (host, entry) in config["auths"]!.AsObject())
            {
                logins.TryAdd(host, entry!["auth"]!.GetValue<string>());
            }
        }

        if (missing.Count > 0)
        {
            Record(ns, name, uid, null, "Warning", "FailedToRetrieveImagePullSecret",
                $"Unable to retrieve some image pull secrets ({string.Join(", ", missing)}); attempting to pull the image may not succeed.");
        }

        return logins;
    }

    private async Task<(string? Error, long Size, bool HasCommand)> PullAsync(string image, Dictionary<string, string> logins)
    {
        var match = ImageReference().Match(image);
        if (!match.Success)
        {
            return ($"failed to pull and unpack image \"{image}\": the emulated kubelet reads only host/repository@digest or host/repository:tag", 0, false);
        }

        var (host, repository, reference) = (match.Groups["host"].Value, match.Groups["repository"].Value, match.Groups["digest"].Success ? match.Groups["digest"].Value : match.Groups["tag"].Success ? match.Groups["tag"].Value : "latest");
        var prefix = $"failed to pull and unpack image \"{image}\": failed to resolve reference \"{image}\"";
        var head = $"https://{host}/v2/{repository}/manifests/{reference}";
        if (!node.Registries.TryGetValue(host, out var endpoint))
        {
            return ($"{prefix}: failed to do request: Head \"{head}\": dial tcp: lookup {host.Split(':')[0]}: no such host", 0, false);
        }

        string? refusal = null;
        var handler = new SocketsHttpHandler();
        handler.SslOptions.TargetHost = host.Split(':')[0];
        handler.SslOptions.RemoteCertificateValidationCallback = (_, certificate, _, _) =>
        {
            refusal = Verify(host, certificate as X509Certificate2);
            return refusal is null;
        };
        using var http = new HttpClient(handler) { BaseAddress = endpoint };
        logins.TryGetValue(host, out var auth);
        try
        {
            using var anonymous = await SendAsync(http, HttpMethod.Head, $"v2/{repository}/manifests/{reference}", null);
            if (anonymous.StatusCode == HttpStatusCode.Unauthorized)
            {
                if (auth is null)
                {
                    return ($"{prefix}: pull access denied, repository does not exist or may require authorization: authorization failed: no basic auth credentials", 0, false);
                }

                using var authenticated = await SendAsync(http, HttpMethod.Head, $"v2/{repository}/manifests/{reference}", auth);
                if (authenticated.StatusCode != HttpStatusCode.OK)
                {
                    return ($"{prefix}: unexpected status from HEAD request to {head}: {(int)authenticated.StatusCode} {authenticated.ReasonPhrase}", 0, false);
                }
            }
            else if (anonymous.StatusCode != HttpStatusCode.OK)
            {
                return ($"{prefix}: {head}: not found", 0, false);
            }

            var (manifest, mediaType) = await FetchAsync(http, $"v2/{repository}/manifests/{reference}", auth, reference);
            if (mediaType is "application/vnd.oci.image.index.v1+json" or "application/vnd.docker.distribution.manifest.list.v2+json")
            {
                var chosen = manifest["manifests"]!.AsArray().FirstOrDefault(each =>
                    each!["platform"]?["os"]?.GetValue<string>() == "linux" && each["platform"]?["architecture"]?.GetValue<string>() == node.Architecture);
                if (chosen is null)
                {
                    return ($"failed to pull and unpack image \"{image}\": no match for platform in manifest: not found", 0, false);
                }

                var digest = chosen["digest"]!.GetValue<string>();
                (manifest, _) = await FetchAsync(http, $"v2/{repository}/manifests/{digest}", auth, digest);
            }

            var configDigest = manifest["config"]!["digest"]!.GetValue<string>();
            var config = JsonNode.Parse(await BlobAsync(http, repository, configDigest, auth))!;
            if (config["os"]?.GetValue<string>() != "linux" || config["architecture"]?.GetValue<string>() != node.Architecture)
            {
                return ($"failed to pull and unpack image \"{image}\": image config is for {config["os"]}/{config["architecture"]}, the node runs linux/{node.Architecture}", 0, false);
            }

            long size = 0;
            foreach (var layer in manifest["layers"]!.AsArray())
            {
                size += (await BlobAsync(http, repository, layer!["digest"]!.GetValue<string>(), auth)).Length;
            }

            var hasCommand = config["config"]?["Entrypoint"] is JsonArray { Count: > 0 } || config["config"]?["Cmd"] is JsonArray { Count: > 0 };
            return (null, size, hasCommand);
        }
        catch (HttpRequestException exception) when (refusal is not null || exception.InnerException is System.Security.Authentication.AuthenticationException)
        {
            return ($"{prefix}: failed to do request: Head \"{head}\": tls: failed to verify certificate: {refusal ?? exception.InnerException!.Message}", 0, false);
        }
        catch (HttpRequestException exception)
        {
            return ($"{prefix}: failed to do request: Head \"{head}\": {exception.Message}", 0, false);
        }
        catch (InvalidDataException exception)
        {
            return ($"failed to pull and unpack image \"{image}\": {exception.Message}", 0, false);
        }
    }

    /// <summary>
    /// What containerd checks: a chain to the CA that certs.d names for the host (else the system's roots), and the
    /// name. Except for localhost: with no hosts.toml naming a server, containerd skips the check there
    /// (remotes/docker/config/hosts.go), so a hosts.toml is what makes it verify a localhost registry at all.
    /// </summary>
    private string? Verify(string host, X509Certificate2? certificate)
    {
        if (IsLocalhost(host) && !node.Files.ContainsKey($"{EmulatedNode.CertsD}/{host}/hosts.toml"))
        {
            return null;
        }

        if (certificate is null)
        {
            return "x509: no certificate presented";
        }

        using var chain = new X509Chain();
        chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
        if (TrustedCa(host) is { } ca)
        {
            chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
            try
            {
                chain.ChainPolicy.CustomTrustStore.Add(X509Certificate2.CreateFromPem(ca));
            }
            catch (CryptographicException)
            {
                // containerd skips a CA file it cannot read, and trusts only the system's roots then.
            }
        }

        if (!chain.Build(certificate))
        {
            return "x509: certificate signed by unknown authority";
        }

        var name = host.Split(':')[0];
        return certificate.MatchesHostname(name) ? null : $"x509: certificate is valid for {certificate.GetNameInfo(X509NameType.DnsName, false)}, not {name}";
    }

    private static bool IsLocalhost(string host)
    {
        var name = host.StartsWith('[') ? host[1..host.IndexOf(']')] : host.Split(':')[0];
        return name == "localhost" || (IPAddress.TryParse(name, out var address) && IPAddress.IsLoopback(address));
    }

    /// <summary>The CA containerd trusts for <paramref name="host"/>: the <c>ca</c> of its hosts.toml, else a <c>.crt</c> in its directory.</summary>
    private string? TrustedCa(string host)
    {
        var directory = $"{EmulatedNode.CertsD}/{host}";
        if (node.Files.TryGetValue($"{directory}/hosts.toml", out var hosts) && CaSetting().Match(hosts) is { Success: true } ca)
        {
            return node.Files.TryGetValue(ca.Groups[1].Value, out var pem) ? pem : null;
        }

        return node.FilesUnder(directory).FirstOrDefault(file => file.Key.EndsWith(".crt", StringComparison.Ordinal)).Value;
    }

    private static async Task<(JsonObject Manifest, string MediaType)> FetchAsync(HttpClient http, string path, string? auth, string reference)
    {
        using var response = await SendAsync(http, HttpMethod.Get, path, auth);
        response.EnsureSuccessStatusCode();
        var bytes = await response.Content.ReadAsByteArrayAsync();
        if (reference.StartsWith("sha256:", StringComparison.Ordinal) && "sha256:" + Convert.ToHexStringLower(SHA256.HashData(bytes)) != reference)
        {
            throw new InvalidDataException($"manifest {reference}: digest mismatch");
        }

        var manifest = JsonNode.Parse(bytes)!.AsObject();
        return (manifest, response.Content.Headers.ContentType?.MediaType ?? manifest["mediaType"]!.GetValue<string>());
    }

    private static async Task<byte[]> BlobAsync(HttpClient http, string repository, string digest, string? auth)
    {
        using var response = await SendAsync(http, HttpMethod.Get, $"v2/{repository}/blobs/{digest}", auth);
        response.EnsureSuccessStatusCode();
        var bytes = await response.Content.ReadAsByteArrayAsync();
        if ("sha256:" + Convert.ToHexStringLower(SHA256.HashData(bytes)) != digest)
        {
            throw new InvalidDataException($"blob {digest}: digest mismatch");
        }

        return bytes;
    }

    private static async Task<HttpResponseMessage> SendAsync(HttpClient http, HttpMethod method, string path, string? auth)
    {
        using var request = new HttpRequestMessage(method, path);
        foreach (var type in ManifestTypes)
        {
            request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue(type));
        }

        if (auth is not null)
        {
            request.Headers.Authorization = new AuthenticationHeaderValue("Basic", auth);
        }

        return await http.SendAsync(request);
    }

    private void Record(string ns, string pod, string uid, string? container, string type, string reason, string message)
    {
        var name = $"{pod}.{Interlocked.Increment(ref events):x8}";
        var now = DateTimeOffset.UtcNow.ToString("yyyy-MM-ddTHH:mm:ssZ");
        var involved = new JsonObject { ["apiVersion"] = "v1", ["kind"] = "Pod", ["name"] = pod, ["namespace"] = ns, ["uid"] = uid };
        if (container is not null)
        {
            involved["fieldPath"] = $"spec.containers{{{container}}}";
        }

        store.Seed(new JsonObject
        {
            ["apiVersion"] = "v1",
            ["kind"] = "Event",
            ["metadata"] = new JsonObject { ["name"] = name, ["namespace"] = ns },
            ["involvedObject"] = involved,
            ["type"] = type,
            ["reason"] = reason,
            ["message"] = message,
            ["source"] = new JsonObject { ["component"] = "kubelet", ["host"] = EmulatedNode.Name },
            ["count"] = 1,
            ["firstTimestamp"] = now,
            ["lastTimestamp"] = now,
        }, "kubelet");
    }

    [GeneratedRegex(@"^(?<host>[^/]+)/(?<repository>[a-z0-9._/-]+?)(?::(?<tag>[\w][\w.-]*))?(?:@(?<digest>sha256:[0-9a-f]{64}))?$")]
    private static partial Regex ImageReference();

    [GeneratedRegex(@"(?m)^\s*ca\s*=\s*""([^""]+)""")]
    private static partial Regex CaSetting();
}
