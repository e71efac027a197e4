using System.Text;
using System.Text.Json.Nodes;
using Registry.Build.Tests.Fixtures;
using Registry.Build.Tests.Fixtures.Kubernetes;

namespace Registry.Build.Tests.Tasks;

/// <summary>mode=proxy deployed by the real pipeline onto an emulated cluster.</summary>
public sealed class ProxyModeTaskTests : IAsyncLifetime
{
    private const string UpstreamPassword = "dckr_pat_upstream-1";
    private static readonly ResourceType Secret = ResourceCatalogue.OfKind("v1", "Secret");
    private static readonly ResourceType ConfigMap = ResourceCatalogue.OfKind("v1", "ConfigMap");
    private static readonly ResourceType Deployment = ResourceCatalogue.OfKind("apps/v1", "Deployment");
    private PipelineOnCluster pipeline = null!;

    public async Task InitializeAsync() => pipeline = await PipelineOnCluster.ReadyForDeployAsync();

    public async Task DisposeAsync() => await pipeline.DisposeAsync();

    private static Dictionary<string, string> Environment(bool login = true) => login
        ? new() { ["REGISTRY_PASSWORD"] = "Cache-Passw0rd", ["REGISTRY_PROXY_USERNAME"] = "mirror-bot", ["REGISTRY_PROXY_PASSWORD"] = UpstreamPassword }
        : new() { ["REGISTRY_PASSWORD"] = "Cache-Passw0rd" };

    private Task<HostRun> Deploy(bool login = true, params string[] args) => pipeline.RunAsync(
        ["--host=cache.example.com", "--smoke-test=false", "--mode=proxy", "--proxy-remote-url=https://registry-1.docker.io", "--proxy-ttl=72h", .. args], Environment(login));

    [Fact]
    public async Task The_cache_gets_the_proxy_section_and_its_upstream_login_only_through_the_storage_secret_and_a_second_deploy_writes_nothing()
    {
        var run = await Deploy();

        Assert.True(run.ExitCode == 0, run.Output);
        var config = pipeline.Server.Store.Get(ConfigMap, "docker-registry", "docker-registry-config")!["data"]!["config.yml"]!.GetValue<string>();
        Assert.Contains("proxy:\n  remoteurl: https://registry-1.docker.io\n  ttl: 72h", config);
        Assert.DoesNotContain(UpstreamPassword, config);
        Assert.DoesNotContain("mirror-bot", config);
        var secret = pipeline.Server.Store.Get(Secret, "docker-registry", "docker-registry-storage")!["data"]!;
        Assert.Equal(UpstreamPassword, Encoding.UTF8.GetString(Convert.FromBase64String(secret["proxy-password"]!.GetValue<string>())));
        var env = pipeline.Server.Store.Get(Deployment, "docker-registry", "docker-registry")!["spec"]!["template"]!["spec"]!["containers"]![0]!["env"]!.AsArray();
        Assert.Equal("proxy-password", env.Single(variable => variable!["name"]!.GetValue<string>() == "REGISTRY_PROXY_PASSWORD")!["valueFrom"]!["secretKeyRef"]!["key"]!.GetValue<string>());
        Assert.DoesNotContain(UpstreamPassword, run.Output);
        pipeline.Server.ForgetRequests();

        var second = await Deploy();

        Assert.True(second.ExitCode == 0, second.Output);
        Assert.Empty(pipeline.Server.ClusterWrites);
    }

    [Fact]
    public async Task A_registry_and_a_cache_side_by_side_in_two_namespaces_each_converge_and_destroying_one_leaves_the_other()
    {
        await using var cacheBackend = await RealRegistry.AskingForLoginAsync();
        pipeline.Server.ServiceBackends["docker-cache/docker-registry:5000"] = cacheBackend.Address;
        var registry = await pipeline.RunAsync(["--host=registry.example.com", "--smoke-test=false"], Environment(login: false));
        var cache = await Deploy(true, "--namespace=docker-cache");
        Assert.True(registry.ExitCode == 0, registry.Output);
        Assert.True(cache.ExitCode == 0, cache.Output);
        pipeline.Server.ForgetRequests();

        var registryAgain = await pipeline.RunAsync(["--host=registry.example.com", "--smoke-test=false"], Environment(login: false));
        var cacheAgain = await Deploy(true, "--namespace=docker-cache");

        Assert.True(registryAgain.ExitCode == 0 && cacheAgain.ExitCode == 0, registryAgain.Output + cacheAgain.Output);
        Assert.Empty(pipeline.Server.ClusterWrites);
        Assert.DoesNotContain("proxy", pipeline.Server.Store.Get(ConfigMap, "docker-registry", "docker-registry-config")!["data"]!["config.yml"]!.GetValue<string>());

        var destroyed = await pipeline.RunAsync(["--target=Destroy", "--confirm=true", "--purge-data=true", "--namespace=docker-cache", "--host=cache.example.com"], []);

        Assert.True(destroyed.ExitCode == 0, destroyed.Output);
        Assert.Null(pipeline.Server.Store.Get(ResourceCatalogue.OfKind("v1", "Namespace"), null, "docker-cache"));
        Assert.NotNull(pipeline.Server.Store.Get(Deployment, "docker-registry", "docker-registry"));
        Assert.NotNull(pipeline.Server.Store.Get(ConfigMap, "docker-registry", "docker-registry-config"));
    }

    [Fact]
    public async Task Turning_a_live_registry_into_a_cache_is_refused_before_any_write_unless_confirmed()
    {
        Assert.Equal(0, (await pipeline.RunAsync(["--host=cache.example.com", "--smoke-test=false"], Environment(login: false))).ExitCode);
        pipeline.Server.ForgetRequests();

        var refused = await Deploy();

        Assert.Equal(2, refused.ExitCode);
        Assert.Contains("mode: 'proxy' (from the command line) would turn the registry in docker-registry, whose store holds the images pushed to it, into a pull-through cache", refused.Output);
        Assert.Empty(pipeline.Server.ClusterWrites);

        var confirmed = await Deploy(true, "--confirm-storage-change=true");

        Assert.True(confirmed.ExitCode == 0, confirmed.Output);
        Assert.Contains("remoteurl: https://registry-1.docker.io", pipeline.Server.Store.Get(ConfigMap, "docker-registry", "docker-registry-config")!["data"]!["config.yml"]!.GetValue<string>());
    }

    [Fact]
    public async Task Half_an_upstream_login_is_refused_before_any_request()
    {
        var run = await pipeline.RunAsync(
            ["--host=cache.example.com", "--mode=proxy", "--proxy-remote-url=https://registry-1.docker.io"],
            new Dictionary<string, string> { ["REGISTRY_PASSWORD"] = "Cache-Passw0rd", ["REGISTRY_PROXY_PASSWORD"] = UpstreamPassword });

        Assert.Equal(2, run.ExitCode);
        Assert.Contains("gives half of the upstream login", run.Output);
        Assert.DoesNotContain(UpstreamPassword, run.Output);
        Assert.Empty(pipeline.Server.Requests);
    }

    [Fact]
    public async Task Garbage_collect_is_refused_for_a_cache_which_writes_even_when_read_only()
    {
        Assert.Equal(0, (await Deploy()).ExitCode);
        pipeline.Server.ForgetRequests();

        var run = await pipeline.RunAsync(
            ["--target=GarbageCollect", "--host=cache.example.com", "--mode=proxy", "--proxy-remote-url=https://registry-1.docker.io", "--proxy-ttl=72h"], Environment());

        Assert.Equal(1, run.ExitCode);
        Assert.Contains("GarbageCollect is for mode=registry", run.Output);
        Assert.Empty(pipeline.Server.ClusterWrites);
    }

    [Fact]
    public async Task A_run_without_the_upstream_login_keeps_the_one_the_cluster_has()
    {
        Assert.Equal(0, (await Deploy()).ExitCode);
        pipeline.Server.ForgetRequests();

        var run = await Deploy(login: false);

        Assert.True(run.ExitCode == 0, run.Output);
        Assert.Contains("Not given in this run, so kept as Secret docker-registry/docker-registry-storage has them: proxy-username, proxy-password.", run.Output);
        Assert.Empty(pipeline.Server.ClusterWrites);
    }

    [Theory]
    [InlineData(new[] { "--mode=proxy" }, "is missing, and mode=proxy caches it")]
    [InlineData(new[] { "--proxy-remote-url=https://registry-1.docker.io" }, "proxy-remote-url: 'https://registry-1.docker.io' (from the command line) is set, but mode is registry")]
    [InlineData(new[] { "--mode=proxy", "--proxy-remote-url=http://mirror.internal:5000" }, "is plain http, and an upstream password is given")]
    [InlineData(new[] { "--mode=proxy", "--proxy-remote-url=https://user:pw@registry-1.docker.io" }, "proxy-remote-url: 'https://********@registry-1.docker.io' (from the command line) holds a user or password")]
    [InlineData(new[] { "--mode=proxy", "--proxy-remote-url=https://registry-1.docker.io", "--proxy-ttl=24h", "--image=registry:2.8.3" }, "has no proxy.ttl")]
    [InlineData(new[] { "--mode=proxy", "--proxy-remote-url=https://registry-1.docker.io", "--smoke-proxy-image=docker.io/library/busybox:1.37" }, "smoke-proxy-image: ")]
    [InlineData(new[] { "--mode=proxy", "--proxy-remote-url=https://registry-1.docker.io", "--retain-count=3" }, "a cache's images expire by proxy-ttl")]
    [InlineData(new[] { "--mode=proxy", "--proxy-remote-url=https://registry-1.docker.io", "--smoke-docker=true" }, "smoke-docker: ")]
    [InlineData(new[] { "--proxy-remote-url=https://user:pw@registry-1.docker.io" }, "'https://********@registry-1.docker.io' (from the command line) holds a user or password")]
    [InlineData(new[] { "--mode=proxy", "--proxy-remote-url=https://registry-1.docker.io/" }, "no trailing slash")]
    [InlineData(new[] { "--mode=proxy", "--proxy-remote-url=https://registry-1.docker.io", "--replicas=2", "--storage=s3", "--s3-bucket=cache", "--s3-region=eu-west-1" }, "each cache pod keeps its own expiry list")]
    [InlineData(new[] { "--mode=proxy", "--proxy-remote-url=https://registry-1.docker.io", "--delete-enabled=false" }, "could never delete what expired")]
    public async Task Bad_proxy_settings_are_refused_before_any_request(string[] args, string expected)
    {
        var run = await pipeline.RunAsync(["--host=cache.example.com", .. args], Environment());

        Assert.Equal(2, run.ExitCode);
        Assert.Contains(expected, run.Output);
        Assert.DoesNotContain(UpstreamPassword, run.Output);
        Assert.DoesNotContain("user:pw", run.Output);
        Assert.Empty(pipeline.Server.Requests);
    }
}
