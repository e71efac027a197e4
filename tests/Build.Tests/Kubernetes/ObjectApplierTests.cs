using System.Text.Json.Nodes;
using Registry.Build.Kubernetes;
using Registry.Build.Tests.Fixtures.Kubernetes;

namespace Registry.Build.Tests.Kubernetes;

public sealed class ObjectApplierTests : IAsyncLifetime
{
    private EmulatedCluster cluster = null!;
    private ObjectApplier applier = null!;

    public async Task InitializeAsync()
    {
        cluster = await EmulatedCluster.StartAsync();
        applier = await cluster.ApplierAsync();
        cluster.Server.ForgetRequests();
    }

    public async Task DisposeAsync() => await cluster.DisposeAsync();

    [Fact]
    public async Task Applying_to_an_empty_cluster_creates_every_object()
    {
        var results = await applier.ApplyAllAsync(RegistryObjects.All(), CancellationToken.None);

        Assert.All(results, result => Assert.Equal(ApplyAction.Created, result.Action));
        Assert.Equal(8, results.Count);
        var deployment = Get("apis/apps/v1", "deployments", "docker-registry");
        Assert.Equal("registry:3.0.0", deployment["spec"]!["template"]!["spec"]!["containers"]![0]!["image"]!.GetValue<string>());
        Assert.Contains(cluster.Log.Entries, entry => entry.Message == "Deployment docker-registry/docker-registry: created");
    }

    [Fact]
    public async Task A_second_apply_of_the_full_registry_object_set_makes_no_write_and_one_read_per_object()
    {
        await applier.ApplyAllAsync(RegistryObjects.All(), CancellationToken.None);
        // The next run: a new connection, which has read nothing yet.
        applier = await cluster.ApplierAsync();
        cluster.Server.ForgetRequests();

        var results = await applier.ApplyAllAsync(RegistryObjects.All(), CancellationToken.None);

        Assert.All(results, result => Assert.Equal(ApplyAction.Unchanged, result.Action));
        Assert.Empty(cluster.Server.MutatingRequests);
        Assert.Equal(results.Count, cluster.Server.Requests.Count);
        Assert.All(cluster.Server.Requests, request => Assert.Equal("GET", request.Method));
    }

    [Fact]
    public async Task Changing_one_setting_writes_only_the_object_it_affects()
    {
        await applier.ApplyAllAsync(RegistryObjects.All(), CancellationToken.None);
        cluster.Server.ForgetRequests();

        var results = await applier.ApplyAllAsync(RegistryObjects.All(replicas: 3), CancellationToken.None);

        var write = Assert.Single(cluster.Server.MutatingRequests);
        Assert.Equal("PATCH /apis/apps/v1/namespaces/docker-registry/deployments/docker-registry", $"{write.Method} {write.Path}");
        Assert.Equal(["spec.replicas"], Assert.Single(results, result => result.Action == ApplyAction.Updated).ChangedFields);
        Assert.Equal(3, Get("apis/apps/v1", "deployments", "docker-registry")["spec"]!["replicas"]!.GetValue<int>());
    }

    [Fact]
    public async Task A_managed_field_edited_by_hand_is_put_back_and_other_managers_fields_are_left_alone()
    {
        await applier.ApplyAllAsync(RegistryObjects.All(), CancellationToken.None);
        var type = ResourceCatalogue.OfKind("apps/v1", "Deployment");
        cluster.Server.Store.MergePatch(type, RegistryObjects.Namespace, "docker-registry", JsonNode.Parse("""
            {"metadata": {"annotations": {"team": "platform"}}, "spec": {"replicas": 5}}
            """)!.AsObject(), "kubectl-edit", dryRun: false);
        applier = await cluster.ApplierAsync();
        cluster.Server.ForgetRequests();

        var results = await applier.ApplyAllAsync(RegistryObjects.All(), CancellationToken.None);

        var write = Assert.Single(cluster.Server.MutatingRequests);
        Assert.EndsWith("/deployments/docker-registry", write.Path);
        Assert.Equal(["spec.replicas"], Assert.Single(results, result => result.Action == ApplyAction.Updated).ChangedFields);
        var deployment = Get("apis/apps/v1", "deployments", "docker-registry");
        Assert.Equal(1, deployment["spec"]!["replicas"]!.GetValue<int>());
        Assert.Equal("platform", deployment["metadata"]!["annotations"]!["team"]!.GetValue<string>());
    }

    [Fact]
    public async Task A_field_the_pipeline_stops_setting_is_removed_but_one_another_manager_set_stays()
    {
        await applier.ApplyAsync(RegistryObjects.All()[0], CancellationToken.None);
        await applier.ApplyAsync(RegistryObjects.ConfigMap(extra: new Dictionary<string, string> { ["notes.txt"] = "old" }), CancellationToken.None);
        cluster.Server.Store.MergePatch(ResourceCatalogue.OfKind("v1", "ConfigMap"), RegistryObjects.Namespace, "docker-registry-config",
            JsonNode.Parse("""{"data": {"operator.txt": "keep me"}}""")!.AsObject(), "operator", dryRun: false);

        var result = await applier.ApplyAsync(RegistryObjects.ConfigMap(), CancellationToken.None);

        Assert.Equal(ApplyAction.Updated, result.Action);
        var data = Get("api/v1", "configmaps", "docker-registry-config")["data"]!.AsObject();
        Assert.False(data.ContainsKey("notes.txt"));
        Assert.Equal("keep me", data["operator.txt"]!.GetValue<string>());
        Assert.True(data.ContainsKey("config.yml"));
    }

    [Fact]
    public async Task Plan_says_what_would_change_and_writes_nothing()
    {
        await applier.ApplyAllAsync(RegistryObjects.All(), CancellationToken.None);
        cluster.Server.ForgetRequests();

        var plans = new List<ApplyResult>();
        foreach (var item in RegistryObjects.All(replicas: 2, logLevel: "debug"))
        {
            plans.Add(await applier.PlanAsync(item, CancellationToken.None));
        }

        Assert.Empty(cluster.Server.MutatingRequests);
        Assert.Equal(
            ["ConfigMap docker-registry/docker-registry-config: updated data.config.yml", "Deployment docker-registry/docker-registry: updated spec.replicas"],
            plans.Where(plan => plan.Action != ApplyAction.Unchanged).Select(plan => plan.ToString()));
    }

    [Fact]
    public async Task Objects_in_a_namespace_that_does_not_exist_fail_with_the_servers_message()
    {
        var error = await Assert.ThrowsAsync<KubernetesApiException>(() => applier.ApplyAsync(RegistryObjects.ConfigMap(), CancellationToken.None));

        Assert.Equal(System.Net.HttpStatusCode.NotFound, error.Status);
        Assert.Contains("namespaces \"docker-registry\" not found", error.Message);
    }

    [Fact]
    public async Task Three_503s_then_success_succeeds_and_says_it_retried()
    {
        cluster.Server.InjectFault(request => request.Method == "PATCH", new Fault.Answer(503, "etcdserver: leader changed"), times: 3);

        var result = await applier.ApplyAsync(RegistryObjects.All()[0], CancellationToken.None);

        Assert.Equal(ApplyAction.Created, result.Action);
        Assert.Equal(4, cluster.Server.Requests.Count(request => request.Method == "PATCH"));
        Assert.Equal(3, cluster.Log.Entries.Count(entry => entry.Message.Contains("503 ServiceUnavailable", StringComparison.Ordinal)));
    }

    [Fact]
    public async Task A_dropped_connection_is_retried()
    {
        cluster.Server.InjectFault(request => request.Method == "GET", new Fault.DropConnection(), times: 2);

        var result = await applier.ApplyAsync(RegistryObjects.All()[0], CancellationToken.None);

        Assert.Equal(ApplyAction.Created, result.Action);
        Assert.Equal(3, cluster.Server.Requests.Count(request => request.Method == "GET"));
    }

    [Fact]
    public async Task A_429_is_retried_after_the_delay_the_server_asks_for()
    {
        cluster.Server.InjectFault(request => request.Method == "GET", new Fault.Answer(429, "too many requests", RetryAfter: TimeSpan.FromSeconds(1)));
        var started = DateTimeOffset.UtcNow;

        await applier.ApplyAsync(RegistryObjects.All()[0], CancellationToken.None);

        Assert.True(DateTimeOffset.UtcNow - started >= TimeSpan.FromSeconds(0.9), "the retry came before Retry-After said it could");
        Assert.Contains(cluster.Log.Entries, entry => entry.Message.Contains("in 1s", StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_422_fails_at_once_with_the_servers_message()
    {
        cluster.Server.InjectFault(request => request.Method == "PATCH",
            new Fault.Answer(422, "Namespace \"docker-registry\" is invalid: metadata.labels: Invalid value: \"-\": a valid label must be an empty string or consist of alphanumeric characters"));

        var error = await Assert.ThrowsAsync<KubernetesApiException>(() => applier.ApplyAsync(RegistryObjects.All()[0], CancellationToken.None));

        Assert.Contains("422", error.Message);
        Assert.Contains("metadata.labels: Invalid value", error.Message);
        Assert.Single(cluster.Server.Requests, request => request.Method == "PATCH");
    }

    [Fact]
    public async Task A_409_while_applying_reads_the_object_again_and_retries()
    {
        cluster.Server.InjectFault(request => request.Method == "PATCH", new Fault.Answer(409, "the object has been modified"));

        var result = await applier.ApplyAsync(RegistryObjects.All()[0], CancellationToken.None);

        Assert.Equal(ApplyAction.Created, result.Action);
        Assert.Equal(["GET", "PATCH", "GET", "PATCH"], cluster.Server.Requests.Select(request => request.Method));
    }

    [Fact]
    public async Task Retries_give_up_after_the_last_attempt_with_the_last_answer()
    {
        cluster.Server.InjectFault(request => request.Method == "GET", new Fault.Answer(500, "internal error"), times: 100);

        var error = await Assert.ThrowsAsync<KubernetesApiException>(() => applier.ApplyAsync(RegistryObjects.All()[0], CancellationToken.None));

        Assert.Contains("500", error.Message);
        Assert.Equal(EmulatedCluster.FastRetries.MaxRetries + 1, cluster.Server.Requests.Count);
        Assert.Empty(cluster.Server.MutatingRequests);
    }

    private JsonObject Get(string root, string plural, string name) =>
        cluster.Server.Store.Get(ResourceCatalogue.All.Single(type => $"{(type.Group.Length == 0 ? "api" : "apis/" + type.Group)}/{type.Version}" == root && type.Plural == plural), RegistryObjects.Namespace, name)!;
}
