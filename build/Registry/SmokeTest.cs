using System.Diagnostics;
using System.Net;
using System.Security.Authentication;
using Cake.Core;
using Cake.Core.Diagnostics;
using Registry.Build.Registry.Oci;
using Registry.Build.Settings;

namespace Registry.Build.Registry;

/// <summary>
/// The guide's last step without Docker: log in, push a small real image (or a large random layer), find it,
/// pull it back and check every digest, then delete it, all over the registry's HTTP API.
/// </summary>
public sealed class SmokeTest(ICakeLog log)
{
    public const string Repository = "smoke/registry-pipeline";

    /// <summary>Large enough to keep the connection busy, small enough to stay a chunk, not a whole layer.</summary>
    public const long ChunkSize = 64L << 20;

    /// <param name="clusterPull">Run after the image is pushed and checked and before it is deleted: the cluster's own pull of it.</param>
    /// <param name="htpasswdSync">How long a refused login may be the registry not having read a new htpasswd yet (zero: it is not).</param>
    public Task RunAsync(Uri registry, Credential login, RegistryTrust trust, long? layerSize, Func<SmokeReference, CancellationToken, Task>? clusterPull, CancellationToken cancellationToken,
        TimeSpan htpasswdSync = default) =>
        WithClientAsync(registry, login, trust, async client =>
        {
            await LogInAsync(client, registry, login, htpasswdSync, cancellationToken);
            await PushAndPullAsync(client, layerSize, clusterPull, cancellationToken);
        });

    /// <summary>
    /// mode=proxy, where nothing can be pushed: <paramref name="image"/> (repository:tag of the upstream) is pulled through
    /// the cache twice, each time timed and each digest checked; then a push is checked to be refused, and the cluster
    /// pulls it.
    /// </summary>
    public Task RunProxyAsync(Uri registry, Credential login, RegistryTrust trust, string image, Func<SmokeReference, CancellationToken, Task>? clusterPull, CancellationToken cancellationToken,
        TimeSpan htpasswdSync = default) =>
        WithClientAsync(registry, login, trust, async client =>
        {
            await LogInAsync(client, registry, login, htpasswdSync, cancellationToken);
            var colon = image.LastIndexOf(':');
            var (repository, tag) = (image[..colon], image[(colon + 1)..]);
            string? digest = null;
            // The first pull fetches from the upstream unless the cache holds the image already; the second is the cache's.
            foreach (var source in new[] { "first pull", "second pull" })
            {
                var clock = Stopwatch.StartNew();
                var (pulledDigest, blobs, bytes) = await PullVerifiedAsync(client, repository, tag, cancellationToken);
                var seconds = Math.Max(clock.Elapsed.TotalSeconds, 0.001);
                log.Information($"Pulled {repository}:{tag} ({pulledDigest}, {blobs} blobs, {ByteSize.Format(bytes)}) through the cache, {source}: {seconds:0.###}s; every digest matches.");
                digest = pulledDigest;
            }

            var push = await client.ProbeUploadAsync(repository, cancellationToken);
            if (push != HttpStatusCode.MethodNotAllowed)
            {
                throw new CakeException($"The cache at {registry} answered {(int)push} {push} to a push; a pull-through cache must refuse it (405).");
            }

            log.Information("A push is refused (405): this is a pull-through cache.");
            if (clusterPull is not null)
            {
                await clusterPull(new SmokeReference(repository, digest!, Runnable: true), cancellationToken);
            }
        });

    // An image as a client pulls it: the manifest (one platform's, from an index), then its config and layers, each checked against its digest.
    private static async Task<(string Digest, int Blobs, long Bytes)> PullVerifiedAsync(RegistryClient client, string repository, string tag, CancellationToken cancellationToken)
    {
        var (content, _, digest) = await client.GetAnyManifestAsync(repository, tag, cancellationToken);
        Verify(Blob.DigestOf(content) == digest, $"the manifest of {repository}:{tag}");
        var manifest = System.Text.Json.Nodes.JsonNode.Parse(content)!;
        if (manifest["manifests"] is System.Text.Json.Nodes.JsonArray platforms)
        {
            var chosen = platforms.FirstOrDefault(child => child?["platform"]?["architecture"]?.GetValue<string>() == "amd64" && child["platform"]?["os"]?.GetValue<string>() == "linux") ?? platforms[0]!;
            var childDigest = chosen!["digest"]!.GetValue<string>();
            var (child, _, _) = await client.GetAnyManifestAsync(repository, childDigest, cancellationToken);
            Verify(Blob.DigestOf(child) == childDigest, $"the manifest {childDigest} of {repository}:{tag}");
            manifest = System.Text.Json.Nodes.JsonNode.Parse(child)!;
        }

        var descriptors = new[] { manifest["config"] }.Concat(manifest["layers"]?.AsArray() ?? []).OfType<System.Text.Json.Nodes.JsonNode>().ToList();
        long bytes = 0;
        foreach (var descriptor in descriptors)
        {
            var expected = descriptor["digest"]!.GetValue<string>();
            var (pulled, size) = await client.PullBlobAsync(repository, expected, cancellationToken);
            Verify(pulled == expected, $"blob {expected} of {repository}:{tag}");
            bytes += size;
        }

        return (digest, descriptors.Count, bytes);
    }

    private static async Task WithClientAsync(Uri registry, Credential login, RegistryTrust trust, Func<RegistryClient, Task> run)
    {
        using var client = new RegistryClient(registry, login, trust);
        try
        {
            await run(client);
        }
        catch (HttpRequestException exception) when (exception.InnerException is AuthenticationException)
        {
            throw new CakeException(
                $"The registry at {registry} presents a certificate this runner does not trust: {trust.LastRefusal ?? exception.InnerException.Message}. " +
                $"Trust the CA that signed it: for Docker copy it to /etc/docker/certs.d/{registry.Authority}/ca.crt; for containerd reference it as ca in " +
                $"/etc/containerd/certs.d/{registry.Authority}/hosts.toml; with tls=selfsigned the CA is artifacts/ca.crt, which this step trusts by itself " +
                "when it is there. Or pass --insecure-skip-tls-verify=true to skip the check (not for production).");
        }
        catch (HttpRequestException exception)
        {
            throw new CakeException($"Cannot reach the registry at {registry}: {exception.Message}. Check the address (registry-url, or host), the DNS record and the Ingress or Gateway in front of the registry.");
        }
    }

    private async Task LogInAsync(RegistryClient client, Uri registry, Credential login, TimeSpan htpasswdSync, CancellationToken cancellationToken)
    {
        var (anonymous, challenge) = await client.PingAsync(authenticate: false, cancellationToken);
        if (anonymous != HttpStatusCode.Unauthorized || challenge?.StartsWith("Basic", StringComparison.OrdinalIgnoreCase) != true)
        {
            throw new CakeException(
                $"GET {registry}v2/ without credentials answered {(int)anonymous} {anonymous}{(challenge is null ? string.Empty : $" ({challenge})")}; " +
                "expected 401 with a Basic challenge: the registry should not be open to anyone (auth.htpasswd in its config.yml).");
        }

        log.Information($"GET /v2/ without credentials: 401 with {challenge}.");
        using (var wrong = new RegistryClient(registry, login with { Password = GeneratedPassword.Create() }, new RegistryTrust(null, skipVerify: true)))
        {
            var (status, _) = await wrong.PingAsync(authenticate: true, cancellationToken);
            if (status != HttpStatusCode.Unauthorized)
            {
                throw new CakeException($"The registry at {registry} answered {(int)status} {status} to user {login.User} with a wrong password; expected 401.");
            }
        }

        log.Information("A wrong password is refused with 401.");
        var (authenticated, _) = await client.PingAsync(authenticate: true, cancellationToken);
        if (authenticated == HttpStatusCode.Unauthorized && htpasswdSync > TimeSpan.Zero)
        {
            try
            {
                await new HtpasswdSync(log, TimeSpan.FromSeconds(2)).WaitUntilAcceptedAsync(client, login.User, htpasswdSync, cancellationToken);
                authenticated = HttpStatusCode.OK;
            }
            catch (CakeException)
            {
                // Reported below, as any refused password.
            }
        }

        if (authenticated != HttpStatusCode.OK)
        {
            throw new CakeException(
                $"The registry at {registry} refused user {login.User}'s password ({(int)authenticated} {authenticated}). Check the password given " +
                "($REGISTRY_PASSWORD or password-file, or the generated one in Secret docker-registry-password) against the htpasswd Secret.");
        }

        log.Information($"User {login.User} logs in.");
    }

    private async Task PushAndPullAsync(RegistryClient client, long? layerSize, Func<SmokeReference, CancellationToken, Task>? clusterPull, CancellationToken cancellationToken)
    {
        var id = $"{DateTime.UtcNow:yyyyMMddHHmmss}-{Guid.NewGuid().ToString("N")[..8]}";
        var image = layerSize is { } size
            ? await SmokeImage.LargeAsync(size, (ulong)Random.Shared.NextInt64(1, long.MaxValue), cancellationToken)
            : SmokeImage.Small(id);
        var index = SmokeImageIndex.Of(image);
        var pushed = new List<string>();
        foreach (var blob in index.Blobs)
        {
            if (await client.BlobExistsAsync(Repository, blob.Digest, cancellationToken))
            {
                log.Information($"Blob {blob.Digest} is already there; not pushed again.");
                continue;
            }

            pushed.Add(blob.Digest);
            var clock = Stopwatch.StartNew();
            await client.PushBlobAsync(Repository, blob, ChunkSize, cancellationToken);
            var seconds = Math.Max(clock.Elapsed.TotalSeconds, 0.001);
            log.Information($"Pushed {blob.Digest} ({ByteSize.Format(blob.Size)}) in {seconds:0.###}s: {ByteSize.Format((long)(blob.Size / seconds))}/s.");
        }

        // Each platform's manifest by its digest, then the index that names them under the tag, as a multi-platform push does.
        foreach (var each in index.Images)
        {
            await client.PutManifestAsync(Repository, each.ManifestDigest, each.Manifest, SmokeImage.ManifestMediaType, cancellationToken);
        }

        var tag = $"smoke-{id}";
        var digest = await client.PutManifestAsync(Repository, tag, index.Index, SmokeImageIndex.MediaType, cancellationToken);
        log.Information($"Pushed {Repository}:{tag} ({digest}), an image index for {string.Join(" and ", index.Images.Select(each => $"linux/{each.Architecture}"))}.");

        if (!(await client.CatalogAsync(cancellationToken)).Contains(Repository) || !(await client.TagsAsync(Repository, cancellationToken)).Contains(tag))
        {
            throw new CakeException($"{Repository}:{tag} was pushed but is not listed in /v2/_catalog and /v2/{Repository}/tags/list.");
        }

        log.Information($"{Repository}:{tag} is listed in the catalog and its tags.");
        var served = await client.GetManifestAsync(Repository, tag, SmokeImageIndex.MediaType, cancellationToken);
        Verify(Blob.DigestOf(served) == digest && served.AsSpan().SequenceEqual(index.Index), $"the image index of {Repository}:{tag}");
        foreach (var each in index.Images)
        {
            var manifest = await client.GetManifestAsync(Repository, each.ManifestDigest, SmokeImage.ManifestMediaType, cancellationToken);
            Verify(manifest.AsSpan().SequenceEqual(each.Manifest), $"the linux/{each.Architecture} manifest {each.ManifestDigest}");
        }

        foreach (var blob in index.Blobs)
        {
            var (pulled, pulledSize) = await client.PullBlobAsync(Repository, blob.Digest, cancellationToken);
            Verify(pulled == blob.Digest && pulledSize == blob.Size, $"blob {blob.Digest}");
        }

        log.Information($"Pulled the index, {index.Images.Count} manifests and {index.Blobs.Count} blobs back; every digest matches.");
        try
        {
            if (clusterPull is not null)
            {
                await clusterPull(new SmokeReference(Repository, digest, layerSize is null), cancellationToken);
            }
        }
        finally
        {
            // Also after a failed cluster pull: the image is the smoke test's, not something to leave behind.
            await DeleteAsync(client, index, digest, tag, pushed, cancellationToken);
        }
    }

    private async Task DeleteAsync(RegistryClient client, SmokeImageIndex index, string digest, string tag, List<string> pushed, CancellationToken cancellationToken)
    {
        if (await client.DeleteAsync(Repository, "manifests", digest, cancellationToken))
        {
            foreach (var each in index.Images)
            {
                await client.DeleteAsync(Repository, "manifests", each.ManifestDigest, cancellationToken);
            }

            // The blobs too, or every large smoke run would leave its layer behind; only those this run pushed.
            foreach (var blob in pushed)
            {
                await client.DeleteAsync(Repository, "blobs", blob, cancellationToken);
            }

            log.Information($"Deleted {Repository}@{digest}, its manifests and the {pushed.Count} blob{(pushed.Count == 1 ? string.Empty : "s")} this run pushed.");
        }
        else
        {
            log.Information($"Deletes are disabled on this registry (storage.delete.enabled is false): {Repository}:{tag} stays. Skipping the delete.");
        }
    }

    private static void Verify(bool matches, string what)
    {
        if (!matches)
        {
            throw new CakeException($"The registry gave back {what} with different content than was pushed.");
        }
    }
}
