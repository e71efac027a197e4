using System.Net;
using System.Text.Json.Nodes;
using Registry.Build.Registry;
using Registry.Build.Registry.Oci;
using Registry.Build.Settings;
using Registry.Build.Tests.Fixtures;

namespace Registry.Build.Tests.Registry;

/// <summary>
/// mode=proxy on real registries: an upstream Debian docker-registry that asks for its own login, and a second one
/// booted from the pipeline's rendered proxy config (the upstream login from the storage Secret's environment).
/// </summary>
public sealed class ProxyModeTests : IDisposable
{
    private const string Password = "Proxy-Users-Passw0rd";
    private const string UpstreamUser = "mirror-bot";
    private const string UpstreamPassword = "Upstream-Token-7";
    private static readonly IReadOnlyDictionary<string, string?> Unproxied = new Dictionary<string, string?> { ["HTTPS_PROXY"] = null, ["HTTP_PROXY"] = null, ["https_proxy"] = null, ["http_proxy"] = null };
    private readonly TemporaryDirectory directory = new();

    public void Dispose() => directory.Dispose();

    [Fact]
    public async Task Skopeo_pulls_an_upstream_image_through_the_rendered_proxy_which_keeps_its_blobs_refuses_pushes_and_passes_the_smoke_test()
    {
        var upstreamStore = Directory.CreateDirectory(Path.Combine(directory.Path, "upstream")).FullName;
        await using var tokens = await TokenServer.StartAsync(UpstreamUser, UpstreamPassword);
        await using var upstream = await Upstream(tokens, upstreamStore);
        var image = SmokeImage.Small("proxied");
        var layout = Path.Combine(directory.Path, "layout");
        await OciLayout.WriteAsync(image, layout, "1.0", CancellationToken.None);
        var pushed = await Command.Run("skopeo", ["copy", "--dest-tls-verify=false", $"--dest-creds={UpstreamUser}:{UpstreamPassword}", $"oci:{layout}:1.0", $"docker://{upstream.Address.Authority}/library/app:1.0"], directory.Path, Unproxied);
        Assert.True(pushed.ExitCode == 0, pushed.Error);

        var settings = new RegistrySettings
        {
            Host = "cache.example.com",
            Password = new Secret(Password),
            // The real server here is distribution 2.8: its config shape (no proxy.ttl).
            Image = "registry:2.8.3",
            Mode = RegistryMode.Proxy,
            ProxyRemoteUrl = upstream.Address.ToString().TrimEnd('/'),
            SmokeProxyImage = "library/app:1.0",
            StoreSecrets = new StoreSecrets { ProxyUsername = new Secret(UpstreamUser), ProxyPassword = null },
        };
        settings = settings with { StoreSecrets = settings.StoreSecrets with { ProxyPassword = new Secret(UpstreamPassword) }, ProxyRemoteUrl = settings.ProxyRemoteUrl };
        var pod = await RenderedPod.OfAsync(settings);
        // The login reaches the pod only as environment from the Secret, never in the ConfigMap.
        Assert.Contains($"remoteurl: {settings.ProxyRemoteUrl}", pod.ConfigYml);
        Assert.DoesNotContain(UpstreamPassword, pod.ConfigYml);
        Assert.DoesNotContain(UpstreamUser, pod.ConfigYml);
        Assert.Equal(UpstreamPassword, pod.Environment["REGISTRY_PROXY_PASSWORD"]);
        var cacheStore = Directory.CreateDirectory(Path.Combine(directory.Path, "cache")).FullName;
        await using var proxy = await pod.StartAsync(dataDirectory: cacheStore);
        var authFile = Path.Combine(directory.Path, "auth.json");
        await File.WriteAllTextAsync(authFile, PullSecret.DockerConfigJson(proxy.Address.Authority, new Credential("admin", new Secret(Password))));

        var copied = Path.Combine(directory.Path, "copied");
        var pull = await Command.Run("skopeo", ["copy", "--src-tls-verify=false", $"--authfile={authFile}", $"docker://{proxy.Address.Authority}/library/app:1.0", $"oci:{copied}:1.0"], directory.Path, Unproxied);

        Assert.True(pull.ExitCode == 0, pull.Error + Environment.NewLine + proxy.Output + Environment.NewLine + upstream.Output);
        Assert.True(tokens.Issued >= 2, "the cache did not log in to the upstream with the credentials from its environment");
        // skopeo checked every digest as it copied; the image is the one pushed upstream, byte for byte.
        var manifestDigest = JsonNode.Parse(await File.ReadAllTextAsync(Path.Combine(copied, "index.json")))!["manifests"]![0]!["digest"]!.GetValue<string>();
        Assert.Equal(image.ManifestDigest, manifestDigest);
        // The cache writes what it fetched to its store as it streams it to the client, finishing just after.
        foreach (var blob in new[] { image.Layer, image.Config })
        {
            for (var attempt = 0; attempt < 100 && !File.Exists(TestImage.BlobPath(cacheStore, blob.Digest)); attempt++)
            {
                await Task.Delay(100);
            }

            Assert.True(File.Exists(TestImage.BlobPath(cacheStore, blob.Digest)), $"the cache does not hold {blob.Digest}");
        }

        var push = await Command.Run("skopeo", ["copy", "--dest-tls-verify=false", $"--authfile={authFile}", $"oci:{layout}:1.0", $"docker://{proxy.Address.Authority}/library/pushed:1.0"], directory.Path, Unproxied);
        Assert.NotEqual(0, push.ExitCode);
        using (var client = new RegistryClient(proxy.Address, new Credential("admin", new Secret(Password)), new RegistryTrust(null, false)))
        {
            Assert.Equal(HttpStatusCode.MethodNotAllowed, await client.ProbeUploadAsync("library/pushed", CancellationToken.None));
        }

        var log = new RecordingLog();
        await new SmokeTest(log).RunProxyAsync(proxy.Address, new Credential("admin", new Secret(Password)), new RegistryTrust(null, false), settings.SmokeProxyImage, null, CancellationToken.None);

        Assert.Contains("through the cache, first pull: ", log.Text);
        Assert.Contains($"Pulled library/app:1.0 ({image.ManifestDigest}, 2 blobs", log.Text);
        Assert.Contains("through the cache, second pull: ", log.Text);
        Assert.Contains("A push is refused (405): this is a pull-through cache.", log.Text);
        Assert.DoesNotContain(UpstreamPassword, log.Text);
    }

    // An upstream that logs clients in as Docker Hub does: a Bearer challenge pointing at its token server.
    private Task<RealRegistry> Upstream(TokenServer tokens, string store) => RealRegistry.StartAsync(
        "version: 0.1\nstorage:\n  filesystem:\n    rootdirectory: /tmp\nhttp:\n  addr: :5000\n" + tokens.AuthConfig(Path.Combine(directory.Path, $"token-ca-{Guid.NewGuid():N}.pem")),
        string.Empty, dataDirectory: store);

    [Fact]
    public async Task Without_the_upstream_login_the_proxy_cannot_fetch_and_the_smoke_test_says_so()
    {
        await using var tokens = await TokenServer.StartAsync(UpstreamUser, UpstreamPassword);
        await using var upstream = await Upstream(tokens, Directory.CreateDirectory(Path.Combine(directory.Path, "upstream")).FullName);
        var settings = new RegistrySettings
        {
            Host = "cache.example.com",
            Password = new Secret(Password),
            Image = "registry:2.8.3",
            Mode = RegistryMode.Proxy,
            ProxyRemoteUrl = upstream.Address.ToString().TrimEnd('/'),
            SmokeProxyImage = "library/app:1.0",
        };
        await using var proxy = await (await RenderedPod.OfAsync(settings)).StartAsync();

        var failure = await Assert.ThrowsAnyAsync<Exception>(() => new SmokeTest(new RecordingLog()).RunProxyAsync(
            proxy.Address, new Credential("admin", new Secret(Password)), new RegistryTrust(null, false), settings.SmokeProxyImage, null, CancellationToken.None));

        Assert.Contains("library/app:1.0", failure.Message);
    }
}
