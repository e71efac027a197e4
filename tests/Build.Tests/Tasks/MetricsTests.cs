using Registry.Build.Manifests;
using Registry.Build.Tests.Fixtures;
using Registry.Build.Tests.Fixtures.Kubernetes;

namespace Registry.Build.Tests.Tasks;

/// <summary>metrics=true: Prometheus metrics on the debug port, a Service port for them, and a ServiceMonitor where the Prometheus Operator is.</summary>
public sealed class MetricsTests : IAsyncLifetime
{
    private static readonly ResourceType Service = ResourceCatalogue.OfKind("v1", "Service");
    private static readonly ResourceType Monitor = ResourceCatalogue.OfKind("monitoring.coreos.com/v1", "ServiceMonitor");
    private PipelineOnCluster pipeline = null!;

    public async Task InitializeAsync() => pipeline = await PipelineOnCluster.ReadyForDeployAsync();

    public async Task DisposeAsync() => await pipeline.DisposeAsync();

    [Fact]
    public async Task With_the_prometheus_operator_a_service_monitor_scrapes_the_metrics_port_and_a_second_deploy_writes_nothing()
    {
        SeededState.ServiceMonitorCrd(pipeline.Server);

        var first = await Deploy();
        pipeline.Server.ForgetRequests();
        var second = await Deploy();

        Assert.True(first.ExitCode == 0, first.Output);
        Assert.True(second.ExitCode == 0, second.Output);
        Assert.Empty(pipeline.Server.ClusterWrites);
        var monitor = pipeline.Server.Store.Get(Monitor, "docker-registry", "docker-registry")!;
        Assert.Equal("metrics", monitor["spec"]!["endpoints"]![0]!["port"]!.GetValue<string>());
        Assert.Equal("/metrics", monitor["spec"]!["endpoints"]![0]!["path"]!.GetValue<string>());
        var port = pipeline.Server.Store.Get(Service, "docker-registry", "docker-registry")!["spec"]!["ports"]!.AsArray().Single(item => item!["name"]!.GetValue<string>() == "metrics")!;
        Assert.Equal(5001, port["port"]!.GetValue<long>());
        Assert.Equal("debug", port["targetPort"]!.GetValue<string>());
        var config = YamlToJson.Documents(pipeline.Server.Store.Get(ResourceCatalogue.OfKind("v1", "ConfigMap"), "docker-registry", "docker-registry-config")!["data"]!["config.yml"]!.GetValue<string>())[0]!;
        Assert.True(config["http"]!["debug"]!["prometheus"]!["enabled"]!.GetValue<bool>());
    }

    [Fact]
    public async Task Without_the_prometheus_operator_there_is_no_service_monitor_and_the_log_says_what_to_scrape()
    {
        var run = await Deploy();

        Assert.True(run.ExitCode == 0, run.Output);
        Assert.Null(pipeline.Server.Store.Get(Monitor, "docker-registry", "docker-registry"));
        Assert.Contains("metrics=true: the cluster has no ServiceMonitor CRD (Prometheus Operator), so none is made; scrape Service docker-registry/docker-registry port metrics (5001, /metrics).", run.Output);
        Assert.DoesNotContain(pipeline.Server.Requests, request => request.Path.StartsWith("/apis/monitoring.coreos.com/", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Turning_metrics_off_removes_the_service_monitor_and_the_port()
    {
        SeededState.ServiceMonitorCrd(pipeline.Server);
        await Deploy();

        var off = await pipeline.RunAsync(["--host=registry.example.com", "--smoke-test=false"], new Dictionary<string, string> { ["REGISTRY_PASSWORD"] = "Metrics-Passw0rd" });

        Assert.True(off.ExitCode == 0, off.Output);
        Assert.Null(pipeline.Server.Store.Get(Monitor, "docker-registry", "docker-registry"));
        Assert.DoesNotContain("metrics", pipeline.Server.Store.Get(Service, "docker-registry", "docker-registry")!["spec"]!["ports"]!.ToJsonString());
    }

    private Task<HostRun> Deploy() =>
        pipeline.RunAsync(["--host=registry.example.com", "--smoke-test=false", "--metrics=true"], new Dictionary<string, string> { ["REGISTRY_PASSWORD"] = "Metrics-Passw0rd" });
}
