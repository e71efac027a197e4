using System.Net;
using System.Net.Http.Headers;
using System.Text;
using Registry.Build.Registry;
using Registry.Build.Registry.Oci;
using Registry.Build.Settings;
using Registry.Build.Tests.Fixtures;

namespace Registry.Build.Tests.Registry;

/// <summary>
/// Two replicas as the pipeline renders them (config.yml, the Deployment's environment with its Secrets) on one real
/// S3 store, a Ceph Object Gateway: what makes a push that lands on both of them work.
/// </summary>
public sealed class SharedStoreTests(CephObjectGateway gateway) : IClassFixture<CephObjectGateway>
{
    private const string Password = "Shared-Store-1";
    private static readonly Random Bytes = new(14);

    [Fact]
    public async Task A_chunked_upload_started_on_one_replica_finishes_on_the_other_and_the_image_pulls_back_from_the_first()
    {
        var pod = await RenderedPod.OfAsync(Settings());
        Assert.DoesNotContain(gateway.SecretKey, pod.ConfigYml);
        await using var a = await pod.StartAsync();
        await using var b = await pod.StartAsync();
        using var http = Client();
        var layer = Random(7 * 1024 * 1024);

        var start = await http.PostAsync(new Uri(a.Address, "v2/team/app/blobs/uploads/"), null);
        Assert.Equal(HttpStatusCode.Accepted, start.StatusCode);
        var first = await Patch(http, On(b, start.Headers.Location!), layer[..(5 * 1024 * 1024)], 0);
        Assert.True(first.StatusCode == HttpStatusCode.Accepted, await first.Content.ReadAsStringAsync());
        var second = await Patch(http, On(a, first.Headers.Location!), layer[(5 * 1024 * 1024)..], 5 * 1024 * 1024);
        Assert.True(second.StatusCode == HttpStatusCode.Accepted, await second.Content.ReadAsStringAsync());
        var done = await http.PutAsync(WithDigest(On(b, second.Headers.Location!), Blob.DigestOf(layer)), null);
        Assert.True(done.StatusCode == HttpStatusCode.Created, await done.Content.ReadAsStringAsync());

        // The rest of the image through B, the way a client pushes it, then everything back from A.
        using var onB = Client(b);
        using var onA = Client(a);
        var config = Blob.FromBytes("application/vnd.oci.image.config.v1+json", Encoding.UTF8.GetBytes("""{"architecture":"amd64","os":"linux","rootfs":{"type":"layers","diff_ids":[]}}"""));
        await onB.PushBlobAsync("team/app", config, 1 << 20, CancellationToken.None);
        var manifest = Encoding.UTF8.GetBytes(
            $$"""{"schemaVersion":2,"mediaType":"{{SmokeImage.ManifestMediaType}}","config":{"mediaType":"{{config.MediaType}}","digest":"{{config.Digest}}","size":{{config.Size}}},"layers":[{"mediaType":"application/vnd.oci.image.layer.v1.tar+gzip","digest":"{{Blob.DigestOf(layer)}}","size":{{layer.Length}}}]}""");
        await onB.PutManifestAsync("team/app", "1.0", manifest, SmokeImage.ManifestMediaType, CancellationToken.None);

        Assert.Equal(Blob.DigestOf(manifest), Blob.DigestOf(await onA.GetManifestAsync("team/app", "1.0", SmokeImage.ManifestMediaType, CancellationToken.None)));
        Assert.Equal((Blob.DigestOf(layer), (long)layer.Length), await onA.PullBlobAsync("team/app", Blob.DigestOf(layer), CancellationToken.None));
        Assert.Equal((config.Digest, config.Size), await onA.PullBlobAsync("team/app", config.Digest, CancellationToken.None));
    }

    [Fact]
    public async Task With_a_different_http_secret_the_other_replica_refuses_the_upload_which_is_what_the_shared_secret_is_for()
    {
        var pod = await RenderedPod.OfAsync(Settings());
        await using var a = await pod.StartAsync();
        await using var b = await pod.StartAsync(new Dictionary<string, string> { ["REGISTRY_HTTP_SECRET"] = "a-secret-of-its-own" });
        using var http = Client();
        var layer = Random(1024 * 1024);

        var start = await http.PostAsync(new Uri(a.Address, "v2/team/app/blobs/uploads/"), null);
        var moved = await Patch(http, On(b, start.Headers.Location!), layer, 0);

        Assert.Equal(HttpStatusCode.Accepted, start.StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, moved.StatusCode);
        Assert.Contains("BLOB_UPLOAD_INVALID", await moved.Content.ReadAsStringAsync());
    }

    // Each test its own prefix in the one bucket, as two registries sharing a bucket would have.
    private RegistrySettings Settings()
    {
        var settings = new RegistrySettings
        {
            Host = "registry.example.com",
            Password = new Secret(Password),
            // The real server here is distribution 2.8: its config shape.
            Image = "registry:2.8.3",
            Storage = StorageBackend.S3,
            S3Bucket = CephObjectGateway.Bucket,
            S3Endpoint = gateway.Endpoint.ToString().TrimEnd('/'),
            S3Secure = false,
            S3RootDirectory = $"/{Guid.NewGuid():N}",
            Replicas = 2,
            StoreSecrets = new StoreSecrets { S3AccessKey = new Secret(gateway.AccessKey), S3SecretKey = new Secret(gateway.SecretKey) },
        };
        Assert.Empty(SettingsValidator.Validate(settings, deploying: true));
        return settings;
    }

    private static RegistryClient Client(RealRegistry registry) =>
        new(registry.Address, new Credential("admin", new Secret(Password)), new RegistryTrust(null, skipVerify: true));

    private static HttpClient Client()
    {
        var http = new HttpClient { Timeout = TimeSpan.FromMinutes(2) };
        http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Basic", Convert.ToBase64String(Encoding.UTF8.GetBytes($"admin:{Password}")));
        return http;
    }

    private static async Task<HttpResponseMessage> Patch(HttpClient http, Uri location, byte[] chunk, long offset)
    {
        using var content = new ByteArrayContent(chunk);
        content.Headers.ContentType = new MediaTypeHeaderValue("application/octet-stream");
        content.Headers.TryAddWithoutValidation("Content-Range", $"{offset}-{offset + chunk.Length - 1}");
        return await http.PatchAsync(location, content);
    }

    // The upload's Location, sent to another replica, as a load balancer would.
    private static Uri On(RealRegistry registry, Uri location) =>
        new(registry.Address, location.IsAbsoluteUri ? location.PathAndQuery : location.OriginalString);

    private static Uri WithDigest(Uri location, string digest) =>
        new($"{location}{(location.Query.Length > 0 ? "&" : "?")}digest={Uri.EscapeDataString(digest)}");

    private static byte[] Random(int length)
    {
        var bytes = new byte[length];
        lock (Bytes)
        {
            Bytes.NextBytes(bytes);
        }

        return bytes;
    }
}
