using System.Text.Json.Nodes;
using Registry.Build.Tests.Fixtures;
using Registry.Build.Tests.Fixtures.Kubernetes;

namespace Registry.Build.Tests.Diagnostics;

/// <summary>The guide's CrashLoopBackOff (config.yml not where the image looks), found and explained by the pipeline itself.</summary>
public sealed class ClusterDiagnosticsTests : IAsyncLifetime
{
    private const string Password = "Diagnostics-Passw0rd";
    private const string Pod = "docker-registry-7d9c5b-x2k4q";
    private PipelineOnCluster pipeline = null!;

    public async Task InitializeAsync()
    {
        pipeline = await PipelineOnCluster.StartAsync(new ControllerBehaviour { RolloutStalls = true });
        pipeline.SeedPrerequisites();
        pipeline.Server.Store.Seed(JsonNode.Parse($$$"""
            {"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "{{{Pod}}}", "namespace": "docker-registry"},
             "spec": {"containers": [{"name": "registry", "image": "registry:2"}]},
             "status": {"phase": "Running", "containerStatuses": [{"name": "registry", "ready": false, "restartCount": 6,
               "state": {"waiting": {"reason": "CrashLoopBackOff", "message": "back-off 5m0s restarting failed container"} } }]} }
            """)!.AsObject());
        pipeline.Server.Store.Seed(JsonNode.Parse($$$"""
            {"apiVersion": "v1", "kind": "Event", "metadata": {"name": "registry.1", "namespace": "docker-registry"},
             "type": "Warning", "reason": "BackOff", "involvedObject": {"kind": "Pod", "name": "{{{Pod}}}"},
             "message": "Back-off restarting failed container registry"}
            """)!.AsObject());
        pipeline.Server.PodLogs[("docker-registry", Pod, "registry")] =
            "time=\"2026-11-25T10:00:00Z\" level=info msg=\"starting registry\"\n" +
            "configuration error: open /etc/docker/registry/config.yml: no such file or directory\n";
    }

    public async Task DisposeAsync() => await pipeline.DisposeAsync();

    [Fact]
    public async Task A_failed_rollout_names_the_crashing_pod_its_reason_and_its_last_log_lines()
    {
        var run = await pipeline.RunAsync(
            ["--host=registry.example.com", "--smoke-test=false", "--wait-timeout=1s"], new Dictionary<string, string> { ["REGISTRY_PASSWORD"] = Password });

        Assert.Equal(1, run.ExitCode);
        Assert.Contains("Failed", run.ReportRow("Rollout"));
        Assert.Contains($"What the cluster says (details in {Path.Combine(pipeline.Artifacts, "diagnostics")}):", run.Output);
        Assert.Contains($"pod {Pod}, container registry: waiting: CrashLoopBackOff (back-off 5m0s restarting failed container) (6 restarts)", run.Output);
        Assert.Contains("registry log: configuration error: open /etc/docker/registry/config.yml: no such file or directory", run.Output);
        Assert.Contains($"event: Warning BackOff Pod/{Pod}: Back-off restarting failed container registry", run.Output);
        var diagnostics = Path.Combine(pipeline.Artifacts, "diagnostics");
        Assert.Contains("no such file or directory", await File.ReadAllTextAsync(Path.Combine(diagnostics, $"{Pod}-registry.log")));
        Assert.Contains("CrashLoopBackOff", await File.ReadAllTextAsync(Path.Combine(diagnostics, "pods.txt")));
        Assert.DoesNotContain(Password, run.Output);
        Assert.All(Directory.EnumerateFiles(pipeline.Artifacts, "*", SearchOption.AllDirectories), file => Assert.DoesNotContain(Password, File.ReadAllText(file)));
    }

    [Fact]
    public async Task Status_gives_the_same_summary_on_demand_and_fails_while_the_registry_is_unhealthy()
    {
        var deploy = await pipeline.RunAsync(["--host=registry.example.com", "--smoke-test=false", "--wait-timeout=1s"], new Dictionary<string, string> { ["REGISTRY_PASSWORD"] = Password });
        // The Deploy got as far as the stalled rollout (the Deployment is there); it did not stop before.
        Assert.True(deploy.ReportRow("Rollout")?.Contains("Failed", StringComparison.Ordinal) == true, deploy.Output);

        var run = await pipeline.RunAsync("--target=Status", "--host=registry.example.com");

        Assert.Equal(1, run.ExitCode);
        Assert.True(run.Output.Contains("The registry is not healthy: Deployment docker-registry/docker-registry: generation 1 not observed yet", StringComparison.Ordinal), run.Output);
        Assert.Contains("Deployment docker-registry/docker-registry: generation 1 not observed yet", run.Output);
        Assert.Contains("/v2/ through the service proxy: 503", run.Output);
        Assert.Contains("registry URL: https://registry.example.com", run.Output);
        Assert.Contains($"pod {Pod}, container registry: waiting: CrashLoopBackOff", run.Output);
    }

    [Fact]
    public async Task A_run_that_never_reached_the_cluster_collects_nothing()
    {
        var run = await pipeline.RunAsync("--target=Validate", "--host=bad_host!");

        Assert.Equal(2, run.ExitCode);
        Assert.DoesNotContain("What the cluster says", run.Output);
        Assert.False(Directory.Exists(Path.Combine(pipeline.Artifacts, "diagnostics")));
    }
}
