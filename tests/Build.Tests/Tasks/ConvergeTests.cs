using System.Text.Json.Nodes;
using Registry.Build.Inventory;
using Registry.Build.Tests.Fixtures;
using Registry.Build.Tests.Fixtures.Kubernetes;

namespace Registry.Build.Tests.Tasks;

/// <summary>
/// A Deploy against a cluster that has everything: each object the pipeline manages is read at most once in the run,
/// shared by every step that compares with it, and nothing is written but the run lock.
/// </summary>
public sealed class ConvergeTests : IAsyncLifetime
{
    private const string Ns = "docker-registry";
    private readonly Dictionary<string, string> environment = new() { ["REGISTRY_PASSWORD"] = "Converge-Passw0rd" };
    private PipelineOnCluster pipeline = null!;

    public async Task InitializeAsync() => pipeline = await PipelineOnCluster.ReadyForDeployAsync();

    public async Task DisposeAsync() => await pipeline.DisposeAsync();

    [Theory]
    [InlineData]
    // An autoscaler is made at autoscaling/v2, and listed there too: the list of its kind holds the same object the steps read.
    [InlineData("--autoscale-max=3", "--storage-access-mode=ReadWriteMany")]
    public async Task A_deploy_with_nothing_to_do_reads_each_managed_object_at_most_once_and_writes_only_its_lock(params string[] settings)
    {
        var first = await Deploy(settings);
        Assert.True(first.ExitCode == 0, first.Output);
        var managed = ManagedPaths();
        pipeline.Server.ForgetRequests();

        var run = await Deploy(settings);

        Assert.True(run.ExitCode == 0, run.Output);
        var requests = pipeline.Server.Requests;
        var log = string.Join(Environment.NewLine, requests);
        Assert.True(managed.Count >= 12, log);
        Assert.All(managed, path => Assert.True(requests.Count(request => request.Method == "GET" && request.Path == path) <= 1, $"{path} was read more than once:{Environment.NewLine}{log}"));
        // After the lock the members come with the lists of their kinds: the inventory's parent is the one object asked for by name.
        Assert.Equal([new ApplySet(Ns).ParentAddress.Path], requests.SkipWhile(request => request.Method != "POST")
            .Where(request => request.Method == "GET" && managed.Contains(request.Path)).Select(request => request.Path));
        Assert.Equal(["POST", "DELETE"], pipeline.Server.MutatingRequests.Select(request => request.Method));
        Assert.All(pipeline.Server.MutatingRequests, request => Assert.Contains("/leases", request.Path));
        // Reads come in lists of what the inventory records, not one request per object and step (89 requests before).
        Assert.True(requests.Count <= 2 * managed.Count, $"{requests.Count} requests for {managed.Count} objects:{Environment.NewLine}{log}");
        // What the checks before the lock read is read again once after it (another run may have changed it meanwhile), and nothing more often.
        var afterLock = requests.SkipWhile(request => request.Method != "POST").Skip(1).ToList();
        Assert.All(afterLock.GroupBy(request => request.ToString()), same => Assert.True(same.Count() == 1, $"{same.Key} was asked {same.Count()} times after the lock:{Environment.NewLine}{log}"));
    }

    [Fact]
    public async Task An_object_changed_by_hand_is_read_once_and_written_once_and_nothing_else_is_written()
    {
        Assert.Equal(0, (await Deploy()).ExitCode);
        var service = ResourceCatalogue.OfKind("v1", "Service");
        pipeline.Server.Store.Mutate(service, Ns, "docker-registry", item => item["spec"]!["ports"]![0]!["port"] = 5001);
        pipeline.Server.ForgetRequests();

        var run = await Deploy();

        Assert.True(run.ExitCode == 0, run.Output);
        var path = $"/api/v1/namespaces/{Ns}/services/docker-registry";
        Assert.True(pipeline.Server.Requests.Count(request => request.Method == "GET" && request.Path == path) <= 1, string.Join(Environment.NewLine, pipeline.Server.Requests));
        Assert.Equal([$"PATCH {path}"], pipeline.Server.ClusterWrites.Select(request => $"{request.Method} {request.Path}"));
        // What the registry answered before the write is not taken for what it answers after it.
        Assert.Contains(pipeline.Server.Requests.SkipWhile(request => request.Method != "PATCH"), request => request.Path.EndsWith("/services/docker-registry:5000/proxy/v2/", StringComparison.Ordinal));
        Assert.Equal(5000, pipeline.Server.Store.Get(service, Ns, "docker-registry")!["spec"]!["ports"]![0]!["port"]!.GetValue<long>());
    }

    [Fact]
    public async Task A_run_that_waited_for_another_runs_lock_compares_with_what_that_run_left()
    {
        Assert.Equal(0, (await Deploy()).ExitCode);
        var now = DateTimeOffset.UtcNow.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.ffffff'Z'", System.Globalization.CultureInfo.InvariantCulture);
        // Another run holds the lock for two more seconds; it removes the registry's config before it lets go.
        pipeline.Server.Store.Seed(JsonNode.Parse($$"""
            {"apiVersion": "coordination.k8s.io/v1", "kind": "Lease", "metadata": {"name": "registry-pipeline-lock", "namespace": "{{Ns}}"},
             "spec": {"holderIdentity": "other@runner pid 1 (Destroy)", "leaseDurationSeconds": 2, "acquireTime": "{{now}}", "renewTime": "{{now}}"} }
            """)!.AsObject());
        var configMap = ResourceCatalogue.OfKind("v1", "ConfigMap");
        pipeline.Server.ForgetRequests();
        var run = Deploy();
        // The run has read the config (its storage check) and found the lock taken: it is waiting.
        await WaitUntilAsync(() => pipeline.Server.Requests.Any(request => request.Method == "GET" && request.Path.EndsWith("/leases/registry-pipeline-lock", StringComparison.Ordinal)));
        Assert.Contains(pipeline.Server.Requests, request => request.Method == "GET" && request.Path.EndsWith("/configmaps/docker-registry-config", StringComparison.Ordinal));
        pipeline.Server.Store.Delete(configMap, Ns, "docker-registry-config", dryRun: false);

        var waited = await run;

        Assert.True(waited.ExitCode == 0, waited.Output);
        Assert.Contains("Waiting for the run lock on docker-registry, held by other@runner pid 1 (Destroy)", waited.Output);
        Assert.NotNull(pipeline.Server.Store.Get(configMap, Ns, "docker-registry-config"));
        Assert.Contains("ConfigMap docker-registry/docker-registry-config: created", waited.Output);
    }

    private static async Task WaitUntilAsync(Func<bool> condition)
    {
        var deadline = DateTimeOffset.UtcNow.AddSeconds(30);
        while (!condition())
        {
            Assert.True(DateTimeOffset.UtcNow < deadline, "timed out");
            await Task.Delay(10);
        }
    }

    private Task<HostRun> Deploy(params string[] settings) => pipeline.RunAsync(["--host=registry.example.com", "--smoke-test=false", .. settings], environment);

    // Every object the inventory holds (its members, the parent and the namespace), by the path a GET of it takes.
    private List<string> ManagedPaths()
    {
        var id = new ApplySet(Ns).Id;
        return pipeline.Server.Store.Snapshot()
            .Where(entry => entry.Body["metadata"]?["labels"] is JsonObject labels
                && (labels[ApplySet.PartOfLabel]?.GetValue<string>() == id || labels[ApplySet.IdLabel]?.GetValue<string>() == id))
            .Select(entry => (entry.Type.Group.Length == 0 ? $"/api/{entry.Type.Version}" : $"/apis/{entry.Type.ApiVersion}")
                + (entry.Namespace is null ? string.Empty : $"/namespaces/{entry.Namespace}") + $"/{entry.Type.Plural}/{entry.Name}")
            .ToList();
    }
}
