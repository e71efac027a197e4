using Registry.Build.Registry;
using Registry.Build.Settings;

namespace Registry.Build.Tests.Registry;

/// <summary>The store and cache parts of config.yml, in the shape each major version of distribution reads.</summary>
public sealed class RegistryStorageConfigTests
{
    [Theory]
    [InlineData("registry:3.1.1", 3, 1)]
    [InlineData("registry:3.0.0", 3, 0)]
    [InlineData("registry:2.8.3", 2, 8)]
    [InlineData("registry:2", 2, 0)]
    [InlineData("mirror.example.com:5000/library/registry:v3.1.1-alpine", 3, 1)]
    [InlineData("registry@sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef", 3, 1)]
    [InlineData("registry:stable", 3, 1)]
    public void The_image_version_comes_from_its_tag_and_is_the_current_release_when_the_tag_says_none(string image, int major, int minor) =>
        Assert.Equal(new Version(major, minor), new RegistrySettings { Image = image }.ImageVersion);

    [Fact]
    public void Registry_2_gets_no_forcepathstyle_which_it_does_not_read_and_registry_3_is_told_to_use_the_path_beside_an_endpoint()
    {
        RegistrySettings S3(string image) => new() { Image = image, Storage = StorageBackend.S3, S3Bucket = "images", S3Endpoint = "http://minio:9000/", S3Secure = false };

        var v2 = RegistryStorageConfig.Store(S3("registry:2.8.3"), []);
        var v3 = RegistryStorageConfig.Store(S3("registry:3.1.1"), []);

        Assert.Null(v2["forcepathstyle"]);
        Assert.True(v3["forcepathstyle"]!.GetValue<bool>());
        Assert.Equal("http://minio:9000", v3["regionendpoint"]!.GetValue<string>());
        Assert.Equal("us-east-1", v2["region"]!.GetValue<string>());
        Assert.False(v2["secure"]!.GetValue<bool>());
        Assert.Null(v3["accesskey"]);
    }

    [Fact]
    public void Redis_is_one_addr_and_a_pool_for_registry_2_and_a_list_of_addrs_with_tls_from_the_ca_bundle_for_registry_3()
    {
        var v2 = RegistryStorageConfig.Redis(new RegistrySettings { Image = "registry:2.8.3", RedisUrl = "redis://cache.example:6380/4" });
        var v3 = RegistryStorageConfig.Redis(new RegistrySettings { Image = "registry:3.1.1", RedisUrl = "rediss://cache.example/4" });

        Assert.Equal("cache.example:6380", v2["addr"]!.GetValue<string>());
        Assert.Equal(4, v2["db"]!.GetValue<int>());
        Assert.Equal(64, v2["pool"]!["maxactive"]!.GetValue<int>());
        Assert.Null(v2["tls"]);
        Assert.Equal("""["cache.example:6379"]""", v3["addrs"]!.ToJsonString());
        Assert.Equal($"""["{RegistryStorageConfig.SystemCaBundle}"]""", v3["tls"]!["rootcas"]!.ToJsonString());
        Assert.Null(v3["password"]);
        Assert.Null(v3["addr"]);
    }

    [Theory]
    [InlineData("redis://cache:6379/0", "cache", 6379, 0, false)]
    [InlineData("rediss://cache.example.com/15", "cache.example.com", 6379, 15, true)]
    [InlineData("redis://[fd00::1]:7000", "fd00::1", 7000, 0, false)]
    public void A_redis_url_gives_host_port_database_and_tls(string url, string host, int port, int database, bool tls)
    {
        Assert.True(RedisAddress.TryParse(url, out var address, out _));
        Assert.Equal(new RedisAddress(host, port, database, tls, false), address);
    }

    [Theory]
    [InlineData("http://cache:6379", "is not a Redis URL")]
    [InlineData("redis://cache:6379/16", "names database '16', which is not a number from 0 to 15")]
    [InlineData("redis://cache:6379/0?timeout=1", "has a query")]
    public void A_bad_redis_url_says_what_is_wrong(string url, string problem)
    {
        Assert.False(RedisAddress.TryParse(url, out _, out var said));
        Assert.Contains(problem, said);
    }

    [Theory]
    [InlineData("s3 bucket=a", "s3 bucket=a", null)]
    [InlineData("s3 bucket=a", "s3 bucket=b", "bucket")]
    [InlineData("filesystem", "s3 bucket=a", "driver")]
    public void Two_stores_differ_where_their_place_does(string from, string to, string? difference)
    {
        static StoreLocation Parse(string text)
        {
            var parts = text.Split(' ');
            return new StoreLocation(parts[0], [.. parts.Skip(1).Select(part => part.Split('=')).Select(pair => new KeyValuePair<string, string>(pair[0], pair[1]))]);
        }

        Assert.Equal(difference, Parse(from).Difference(Parse(to)));
    }

    [Fact]
    public void The_same_endpoint_with_a_trailing_slash_is_the_same_store()
    {
        var a = StoreLocation.Of("storage:\n  s3:\n    bucket: b\n    regionendpoint: http://minio:9000/\n")!;
        var b = StoreLocation.Of("storage:\n  s3:\n    bucket: b\n    regionendpoint: http://minio:9000\n    chunksize: 10485760\n")!;

        Assert.Null(a.Difference(b));
        Assert.Equal("s3 regionendpoint=http://minio:9000 bucket=b", a.ToString());
    }
}
