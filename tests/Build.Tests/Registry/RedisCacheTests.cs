using System.Net;
using System.Net.Http.Headers;
using System.Security.Cryptography;
using System.Text;
using Registry.Build.Settings;
using Registry.Build.Tests.Fixtures;

namespace Registry.Build.Tests.Registry;

/// <summary>The blob descriptor cache in a real Redis, with the config and environment the pipeline renders.</summary>
public sealed class RedisCacheTests
{
    private const string Password = "Redis-Cache-1";

    [Fact]
    public async Task The_rendered_v2_config_boots_the_registry_on_redis_and_a_push_pulls_back_through_the_cache()
    {
        await using var redis = await RedisServer.StartAsync("cache-password-1");
        var settings = new RegistrySettings
        {
            Host = "registry.example.com",
            Password = new Secret(Password),
            Image = "registry:2.8.3",
            RedisUrl = $"redis://127.0.0.1:{redis.Port}/3",
            StoreSecrets = new StoreSecrets { RedisPassword = new Secret(redis.Password) },
        };
        Assert.Empty(SettingsValidator.Validate(settings, deploying: true));
        var pod = await RenderedPod.OfAsync(settings);
        Assert.DoesNotContain(redis.Password, pod.ConfigYml);
        Assert.Contains("blobdescriptor: redis", pod.ConfigYml);
        await using var registry = await pod.StartAsync();
        using var http = new HttpClient();
        http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Basic", Convert.ToBase64String(Encoding.UTF8.GetBytes($"admin:{Password}")));
        var layer = RandomNumberGenerator.GetBytes(256 * 1024);
        var config = Encoding.UTF8.GetBytes("""{"architecture":"amd64","os":"linux","rootfs":{"type":"layers","diff_ids":[]}}""");

        await Push(http, registry, layer);
        await Push(http, registry, config);
        var manifest = Encoding.UTF8.GetBytes(
            $$"""{"schemaVersion":2,"mediaType":"application/vnd.oci.image.manifest.v1+json","config":{"mediaType":"application/vnd.oci.image.config.v1+json","digest":"{{Digest(config)}}","size":{{config.Length}}},"layers":[{"mediaType":"application/vnd.oci.image.layer.v1.tar+gzip","digest":"{{Digest(layer)}}","size":{{layer.Length}}}]}""");
        using var put = new ByteArrayContent(manifest);
        put.Headers.ContentType = new MediaTypeHeaderValue("application/vnd.oci.image.manifest.v1+json");
        Assert.Equal(HttpStatusCode.Created, (await http.PutAsync(new Uri(registry.Address, "v2/cached/app/manifests/1.0"), put)).StatusCode);
        using var head = new HttpRequestMessage(HttpMethod.Head, new Uri(registry.Address, $"v2/cached/app/blobs/{Digest(layer)}"));

        Assert.Equal(HttpStatusCode.OK, (await http.SendAsync(head)).StatusCode);
        Assert.Equal(Digest(layer), Digest(await http.GetByteArrayAsync(new Uri(registry.Address, $"v2/cached/app/blobs/{Digest(layer)}"))));
        // The descriptors are in Redis database 3, which the registry reached with the password from its environment.
        var keys = await redis.CliAsync("-n", "3", "--scan");
        Assert.Contains($"blobs::{Digest(layer)}", keys);
        Assert.Contains($"repository::cached/app::blobs::{Digest(layer)}", keys);
    }

    private static async Task Push(HttpClient http, RealRegistry registry, byte[] blob)
    {
        var start = await http.PostAsync(new Uri(registry.Address, "v2/cached/app/blobs/uploads/"), null);
        Assert.Equal(HttpStatusCode.Accepted, start.StatusCode);
        var location = start.Headers.Location!;
        using var content = new ByteArrayContent(blob);
        content.Headers.ContentType = new MediaTypeHeaderValue("application/octet-stream");
        var put = await http.PutAsync(new Uri($"{new Uri(registry.Address, location.IsAbsoluteUri ? location.PathAndQuery : location.OriginalString)}&digest={Uri.EscapeDataString(Digest(blob))}"), content);
        Assert.Equal(HttpStatusCode.Created, put.StatusCode);
    }

    private static string Digest(byte[] content) => "sha256:" + Convert.ToHexStringLower(SHA256.HashData(content));
}
