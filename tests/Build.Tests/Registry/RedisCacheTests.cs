using Registry.Build.Registry;
using Registry.Build.Registry.Oci;
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
        using var client = new RegistryClient(registry.Address, new Credential("admin", new Secret(Password)), new RegistryTrust(null, skipVerify: true));
        var image = SmokeImage.Small("redis-cache");

        await client.PushBlobAsync("cached/app", image.Layer, 1 << 20, CancellationToken.None);
        await client.PushBlobAsync("cached/app", image.Config, 1 << 20, CancellationToken.None);
        await client.PutManifestAsync("cached/app", "1.0", image.Manifest, SmokeImage.ManifestMediaType, CancellationToken.None);

        Assert.Equal(image.ManifestDigest, Blob.DigestOf(await client.GetManifestAsync("cached/app", "1.0", SmokeImage.ManifestMediaType, CancellationToken.None)));
        Assert.True(await client.BlobExistsAsync("cached/app", image.Layer.Digest, CancellationToken.None));
        Assert.Equal((image.Layer.Digest, image.Layer.Size), await client.PullBlobAsync("cached/app", image.Layer.Digest, CancellationToken.None));
        // The descriptors are in Redis database 3, which the registry reached with the password from its environment.
        var keys = await redis.CliAsync("-n", "3", "--scan");
        Assert.Contains($"blobs::{image.Layer.Digest}", keys);
        Assert.Contains($"repository::cached/app::blobs::{image.Layer.Digest}", keys);
    }
}
