using System.Text.Json.Nodes;
using Registry.Build.Registry;
using Registry.Build.Registry.Oci;
using Registry.Build.Settings;
using Registry.Build.Tests.Fixtures;
using Registry.Build.Tests.Fixtures.Kubernetes;

namespace Registry.Build.Tests.Tasks;

/// <summary>
/// GarbageCollect (and Retention before it) on an emulated cluster whose registry pod is a real docker-registry on the
/// claim's folder, restarted by each rollout, and whose node runs the garbage-collect Job's command line for real.
/// </summary>
public sealed class GarbageCollectTaskTests : IAsyncLifetime
{
    private const string Password = "Initial-Passw0rd";
    private static readonly ResourceType ConfigMap = ResourceCatalogue.OfKind("v1", "ConfigMap");
    private static readonly ResourceType Deployment = ResourceCatalogue.OfKind("apps/v1", "Deployment");
    private static readonly ResourceType Job = ResourceCatalogue.OfKind("batch/v1", "Job");
    private static readonly DateTimeOffset Now = DateTimeOffset.UtcNow;
    private readonly TemporaryDirectory claim = new();
    private PipelineOnCluster pipeline = null!;
    private RegistryPods pods = null!;
    private RegistryImageRuntime runtime = null!;

    // Two images with a layer in common and one each of their own; retain-count=1 keeps the newer.
    private readonly TestImage older = TestImage.Of(Now.AddDays(-30), "shared base layer", "older's own layer");
    private readonly TestImage newer = TestImage.Of(Now.AddDays(-1), "shared base layer", "newer's own layer");

    public async Task InitializeAsync()
    {
        pipeline = await PipelineOnCluster.ReadyForDeployAsync();
        var deployed = await pipeline.RunAsync(["--host=registry.example.com", "--smoke-test=false"], Login);
        Assert.True(deployed.ExitCode == 0, deployed.Output);
        pods = RegistryPods.Follow(pipeline.Server, claim.Path);
        runtime = new RegistryImageRuntime(pipeline.Server.Store) { Claims = { ["docker-registry-data"] = claim.Path } };
        pipeline.Server.Behaviour.Runtime = runtime.RunAsync;
        using var client = await ClientAsync();
        await older.PushAsync(client, "team/app", "1.0");
        await newer.PushAsync(client, "team/app", "2.0");
    }

    public async Task DisposeAsync()
    {
        await pods.DisposeAsync();
        await pipeline.DisposeAsync();
        claim.Dispose();
    }

    private static Dictionary<string, string> Login => new() { ["REGISTRY_PASSWORD"] = Password };

    [Fact]
    public async Task Retention_and_garbage_collect_free_the_old_images_own_blobs_in_a_read_only_window_and_return_to_read_write_on_new_pods()
    {
        var run = await Collect("--retain-count=1");

        Assert.True(run.ExitCode == 0, run.Output);
        Assert.Contains("Deletes team/app:1.0", run.Output);
        Assert.Contains("The registry is read-only: a push is refused", run.Output);
        Assert.Contains("The registry is read-write again, on new pods.", run.Output);
        // The old image's manifest, config and own layer; the shared layer stays with the kept image.
        Assert.Matches(@"GarbageCollect: 3 blobs, [\d.]+ K?i?B freed: 7 blobs of [\d.]+ K?i?B before, 4 of [\d.]+ K?i?B after", run.Output);
        // The config went read-only and back, and each switch rolled the pods: deployed, read-only, read-write.
        var configs = pipeline.Server.Store.Versions(ConfigMap, "docker-registry", "docker-registry-config").Select(Config).ToList();
        Assert.Contains(configs, config => config.Contains("readonly:\n      enabled: true", StringComparison.Ordinal));
        Assert.DoesNotContain("readonly", configs[^1], StringComparison.Ordinal);
        await pods.WaitUntilStartedAsync(3);
        Assert.Equal(3, pods.Starts);
        Assert.False(File.Exists(TestImage.BlobPath(claim.Path, older.Layers[1].Digest)));
        Assert.True(File.Exists(TestImage.BlobPath(claim.Path, older.Layers[0].Digest)));
        using var client = await ClientAsync();
        await newer.AssertPullsAsync(client, "team/app", "2.0");
        Assert.Equal(["2.0"], await client.TagsAsync("team/app", CancellationToken.None));
    }

    [Fact]
    public async Task The_job_runs_the_registrys_image_on_its_claim_next_to_its_pod_with_the_garbage_collect_command_line()
    {
        var run = await Collect("--gc-delete-untagged=true");

        Assert.True(run.ExitCode == 0, run.Output);
        var job = pipeline.Server.Store.List(Job, "docker-registry").Single();
        var pod = job["spec"]!["template"]!["spec"]!;
        var container = pod["containers"]![0]!;
        Assert.Equal("registry:3.1.1", container["image"]!.GetValue<string>());
        Assert.Equal(["/etc/registry/config.yml", "/var/lib/registry", "--delete-untagged"], container["args"]!.AsArray().Select(arg => arg!.GetValue<string>()));
        Assert.Equal("docker-registry-data", pod["volumes"]!.AsArray().Single(volume => volume!["persistentVolumeClaim"] is not null)!["persistentVolumeClaim"]!["claimName"]!.GetValue<string>());
        // A ReadWriteOnce claim is attached to one node: the Job must go where the registry's pod runs.
        var term = pod["affinity"]!["podAffinity"]!["requiredDuringSchedulingIgnoredDuringExecution"]![0]!;
        Assert.Equal("kubernetes.io/hostname", term["topologyKey"]!.GetValue<string>());
        Assert.Equal("docker-registry", term["labelSelector"]!["matchLabels"]!["app.kubernetes.io/name"]!.GetValue<string>());
        // Its own name, so the Service and the disruption budget never take it for a registry pod.
        Assert.Equal("docker-registry-garbage-collect", job["spec"]!["template"]!["metadata"]!["labels"]!["app.kubernetes.io/name"]!.GetValue<string>());
        Assert.Equal(0, job["spec"]!["backoffLimit"]!.GetValue<int>());
        Assert.True(run.Output.Contains("  | before: 7 blobs", StringComparison.Ordinal), run.Output);
        var (schemaExit, schemaOutput) = await Fixtures.Schemas.UpstreamSchemas.ValidateAsync([job]);
        Assert.True(schemaExit == 0, schemaOutput);
    }

    [Fact]
    public async Task A_job_that_fails_still_returns_the_registry_to_read_write_and_the_run_fails_with_its_log()
    {
        pipeline.Server.Behaviour.Runtime = async container =>
        {
            container.WriteLine("before: 7 blobs, 4096 bytes");
            container.WriteLine("failed to garbage collect: filesystem: read-only file system");
            await Task.Yield();
            return 1;
        };

        var run = await Collect();

        Assert.Equal(1, run.ExitCode);
        Assert.Contains("failed (Job has reached the specified backoff limit)", run.Output);
        Assert.Contains("  failed to garbage collect: filesystem: read-only file system", run.Output);
        Assert.Contains("The registry is read-write again, on new pods.", run.Output);
        Assert.DoesNotContain("readonly", Config(pipeline.Server.Store.Get(ConfigMap, "docker-registry", "docker-registry-config")!), StringComparison.Ordinal);
        await pods.WaitUntilStartedAsync(3);
        using var client = await ClientAsync();
        await TestImage.Of(Now, "pushed after the failed collection").PushAsync(client, "team/after", "1");
    }

    [Fact]
    public async Task A_run_that_loses_sight_of_its_job_stops_the_pod_before_the_registry_takes_pushes_again()
    {
        var collecting = new TaskCompletionSource<int>();
        pipeline.Server.Behaviour.Runtime = async container =>
        {
            container.WriteLine("before: 7 blobs, 4096 bytes");
            return await collecting.Task;
        };
        pipeline.Server.InjectFault(
            request => request.Method == "GET" && request.Path.Contains("/jobs/docker-registry-garbage-collect-", StringComparison.Ordinal),
            new Fault.Answer(500, "etcdserver: request timed out"), times: 1000);

        var run = await Collect();
        collecting.SetResult(0);

        Assert.Equal(1, run.ExitCode);
        Assert.Contains(": stopped and deleted, with its pod.", run.Output);
        Assert.Contains("The registry is read-write again, on new pods.", run.Output);
        Assert.Empty(pipeline.Server.Store.List(Job, "docker-registry"));
        Assert.Empty(pipeline.Server.Store.List(ResourceCatalogue.OfKind("v1", "Pod"), "docker-registry"));
    }

    [Fact]
    public async Task While_a_garbage_collect_pod_of_a_stopped_run_is_running_a_deploy_would_make_the_registry_writable_and_is_refused()
    {
        pipeline.Server.Store.Seed(JsonNode.Parse("""
            {"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "docker-registry-garbage-collect-20261203-010203-abcde", "namespace": "docker-registry",
             "labels": {"app.kubernetes.io/name": "docker-registry-garbage-collect"}}, "spec": {"containers": [{"name": "garbage-collect", "image": "registry:3.1.1"}]},
             "status": {"phase": "Running"}}
            """)!.AsObject());
        pipeline.Server.ForgetRequests();

        var deploy = await pipeline.RunAsync(["--host=registry.example.com", "--smoke-test=false"], Login);
        var collect = await Collect();

        Assert.Equal(1, deploy.ExitCode);
        Assert.Contains("Pod docker-registry/docker-registry-garbage-collect-20261203-010203-abcde of a GarbageCollect is still running", deploy.Output);
        Assert.Equal(1, collect.ExitCode);
        Assert.Contains("of an earlier GarbageCollect is still running", collect.Output);
        Assert.Empty(pipeline.Server.ClusterWrites);
    }

    [Fact]
    public async Task A_dry_run_changes_nothing_the_registry_stays_read_write_and_every_blob_stays()
    {
        var blobs = Directory.GetFiles(claim.Path, "data", SearchOption.AllDirectories).Length;
        pipeline.Server.ForgetRequests();

        var run = await Collect("--gc-dry-run=true", "--retain-count=1");

        Assert.True(run.ExitCode == 0, run.Output);
        Assert.Contains("Would delete team/app:1.0", run.Output);
        Assert.Contains("GarbageCollect: Dry run: nothing was deleted; 7 blobs marked, 0 blobs and 0 manifests eligible for deletion.", run.Output);
        Assert.Equal(["/apis/batch/v1/namespaces/docker-registry/jobs"], pipeline.Server.ClusterWrites.Select(request => request.Path));
        Assert.Equal(1, pods.Starts);
        Assert.Equal(blobs, Directory.GetFiles(claim.Path, "data", SearchOption.AllDirectories).Length);
        Assert.Equal(["--dry-run"], runtime.CommandLines.Single().Skip(6));
    }

    [Fact]
    public async Task A_finished_collection_does_not_keep_destroy_from_removing_the_namespace_it_created()
    {
        Assert.Equal(0, (await Collect()).ExitCode);

        var run = await pipeline.RunAsync(["--target=Destroy", "--confirm=true", "--purge-data=true", "--host=registry.example.com"], []);

        Assert.True(run.ExitCode == 0, run.Output);
        Assert.DoesNotContain("Job docker-registry-garbage-collect", run.Output);
        Assert.Contains("Namespace docker-registry: deleted", run.Output);
    }

    [Fact]
    public async Task Settings_that_differ_from_the_deployed_registry_are_refused_before_the_read_only_switch()
    {
        pipeline.Server.ForgetRequests();

        var run = await Collect("--image=registry:3.0.0");

        Assert.Equal(1, run.ExitCode);
        Assert.Contains("The registry is not deployed as these settings declare it (Deployment docker-registry/docker-registry differs in", run.Output);
        Assert.Contains("run Deploy with these settings first", run.Output);
        Assert.Empty(pipeline.Server.ClusterWrites);
    }

    [Fact]
    public async Task Without_a_known_password_nothing_is_switched_and_the_run_says_what_to_set()
    {
        pipeline.Server.ForgetRequests();

        var run = await pipeline.RunAsync(["--target=GarbageCollect", "--host=registry.example.com", $"--registry-url={pods.Address}"], []);

        Assert.Equal(1, run.ExitCode);
        Assert.Contains("whose password this run does not know", run.Output);
        Assert.Empty(pipeline.Server.ClusterWrites);
    }

    private Task<HostRun> Collect(params string[] args) =>
        pipeline.RunAsync(["--target=GarbageCollect", "--host=registry.example.com", $"--registry-url={pods.Address}", "--wait-timeout=20s", .. args], Login);

    private async Task<RegistryClient> ClientAsync()
    {
        await pods.WaitUntilStartedAsync();

        return new RegistryClient(pods.Address, new Credential("admin", new Secret(Password)), new RegistryTrust(null, false));
    }

    private static string Config(JsonObject configMap) => configMap["data"]!["config.yml"]!.GetValue<string>();
}
