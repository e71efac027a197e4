using System.Globalization;
using System.Text.Json.Nodes;
using Registry.Build.Registry;
using Registry.Build.Tests.Fixtures;
using Registry.Build.Tests.Fixtures.Kubernetes;

namespace Registry.Build.Tests.Tasks;

/// <summary>Plan, Destroy and the run lock, as nightly jobs and people at their desks use them.</summary>
public sealed class OperationsTests : IAsyncLifetime
{
    private static readonly ResourceType Lease = ResourceCatalogue.OfKind("coordination.k8s.io/v1", "Lease");
    private static readonly ResourceType Deployment = ResourceCatalogue.OfKind("apps/v1", "Deployment");
    private readonly Dictionary<string, string> password = new() { ["REGISTRY_PASSWORD"] = "Operations-Passw0rd" };
    private PipelineOnCluster pipeline = null!;

    public async Task InitializeAsync() => pipeline = await PipelineOnCluster.ReadyForDeployAsync();

    public async Task DisposeAsync() => await pipeline.DisposeAsync();

    [Fact]
    public async Task Plan_on_an_empty_cluster_lists_what_deploy_would_create_and_writes_nothing()
    {
        var run = await Run("--target=Plan", "--detailed-exitcode=true");

        Assert.Equal(2, run.ExitCode);
        Assert.Contains("create    Namespace docker-registry", run.Output);
        Assert.Contains("create    Deployment docker-registry/docker-registry", run.Output);
        Assert.True(run.Output.Contains("Plan: 12 to create, 0 to update, 0 unchanged; Deploy would run Namespace, Issuer, Certificate, Credentials, RegistryConfig, Storage, Workload, Service, Ingress."), run.Output);
        Assert.Empty(pipeline.Server.MutatingRequests);
    }

    [Fact]
    public async Task Plan_on_a_converged_cluster_says_nothing_would_change_and_exits_0()
    {
        await Run();

        var run = await Run("--target=Plan", "--detailed-exitcode=true");

        Assert.Equal(0, run.ExitCode);
        Assert.Contains("Plan: 0 to create, 0 to update, 12 unchanged; Deploy would change nothing.", run.Output);
    }

    [Fact]
    public async Task Plan_on_a_drifted_cluster_names_the_field_and_exits_2_only_when_asked()
    {
        await Run();
        pipeline.Server.Store.MergePatch(Deployment, "docker-registry", "docker-registry", JsonNode.Parse("""{"spec": {"replicas": 5}}""")!.AsObject(), "kubectl-edit", dryRun: false);
        pipeline.Server.ForgetRequests();

        var plain = await Run("--target=Plan");
        var detailed = await Run("--target=Plan", "--detailed-exitcode=true");

        Assert.Equal(0, plain.ExitCode);
        Assert.Equal(2, detailed.ExitCode);
        Assert.Contains("update    Deployment docker-registry/docker-registry: spec.replicas", detailed.Output);
        Assert.Contains("Deploy would run Workload.", detailed.Output);
        Assert.Empty(pipeline.Server.MutatingRequests);
    }

    [Fact]
    public async Task Destroy_without_confirm_exits_2_before_any_request()
    {
        var run = await Run("--target=Destroy");

        Assert.Equal(2, run.ExitCode);
        Assert.Contains("confirm: is required to Destroy: it removes the registry from the cluster; expected --confirm=true", run.Output);
        Assert.Empty(pipeline.Server.Requests);
    }

    [Fact]
    public async Task Destroy_removes_the_registry_but_keeps_the_images_and_the_password_and_a_second_destroy_changes_nothing()
    {
        await Run();

        var first = await Run("--target=Destroy", "--confirm=true");
        pipeline.Server.ForgetRequests();
        var second = await Run("--target=Destroy", "--confirm=true");

        Assert.Equal(0, first.ExitCode);
        Assert.Contains("Deployment docker-registry/docker-registry: deleted", first.Output);
        Assert.Null(Get(Deployment, "docker-registry"));
        Assert.Null(Get(ResourceCatalogue.OfKind("v1", "Secret"), RegistryCredentials.HtpasswdSecret));
        Assert.Null(Get(ResourceCatalogue.OfKind("cert-manager.io/v1", "Issuer"), "registry-ca"));
        Assert.NotNull(Get(ResourceCatalogue.OfKind("v1", "PersistentVolumeClaim"), "docker-registry-data"));
        Assert.NotNull(pipeline.Server.Store.Get(ResourceCatalogue.OfKind("v1", "Namespace"), null, "docker-registry"));
        Assert.Equal(0, second.ExitCode);
        Assert.Contains("Nothing of the registry's is left in docker-registry.", second.Output);
        Assert.Empty(pipeline.Server.ClusterWrites);
        Assert.NotNull(Get(ResourceCatalogue.OfKind("apps/v1", "Deployment"), "cert-manager", "cert-manager"));
    }

    [Fact]
    public async Task Destroy_with_purge_data_removes_the_claim_and_the_namespace()
    {
        await Run();

        var run = await Run("--target=Destroy", "--confirm=true", "--purge-data=true");

        Assert.Equal(0, run.ExitCode);
        Assert.Null(pipeline.Server.Store.Get(ResourceCatalogue.OfKind("v1", "Namespace"), null, "docker-registry"));
        Assert.Null(Get(ResourceCatalogue.OfKind("v1", "PersistentVolumeClaim"), "docker-registry-data"));
    }

    [Fact]
    public async Task Destroy_uninstalls_the_charts_only_with_purge_prerequisites()
    {
        await Run();
        File.Delete(pipeline.HelmCalls);

        await Run("--target=Destroy", "--confirm=true");
        var kept = pipeline.HelmInvocations;
        var run = await Run("--target=Destroy", "--confirm=true", "--purge-prerequisites=true");

        Assert.Empty(kept);
        Assert.Equal(0, run.ExitCode);
        Assert.Contains(pipeline.HelmInvocations, call => call.StartsWith("uninstall cert-manager --namespace cert-manager --wait", StringComparison.Ordinal));
        Assert.Contains(pipeline.HelmInvocations, call => call.StartsWith("uninstall ingress-nginx --namespace ingress-nginx --wait", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Destroy_leaves_alone_an_object_of_the_same_name_it_did_not_create()
    {
        pipeline.Server.Store.Seed(JsonNode.Parse("""{"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": "docker-registry"}}""")!.AsObject());
        pipeline.Server.Store.Seed(JsonNode.Parse("""{"apiVersion": "v1", "kind": "Service", "metadata": {"name": "docker-registry", "namespace": "docker-registry"}, "spec": {"ports": [{"port": 80}]}}""")!.AsObject());

        var run = await Run("--target=Destroy", "--confirm=true");

        Assert.Equal(0, run.ExitCode);
        Assert.Contains("Service docker-registry/docker-registry: left alone, it was not created by this pipeline.", run.Output);
        Assert.NotNull(Get(ResourceCatalogue.OfKind("v1", "Service"), "docker-registry"));
    }

    [Fact]
    public async Task A_second_concurrent_deploy_waits_then_fails_naming_the_holder_and_nothing_is_written_twice()
    {
        pipeline.Server.Behaviour.RolloutDelay = TimeSpan.FromSeconds(4);
        var first = Run();
        while (pipeline.Server.Store.Get(Lease, "docker-registry", "registry-pipeline-lock") is null)
        {
            await Task.Delay(20);
        }

        var second = await Run("--lock-timeout=1s");
        var firstRun = await first;

        Assert.Equal(0, firstRun.ExitCode);
        Assert.Equal(1, second.ExitCode);
        Assert.Matches(@"Another run holds the lock on docker-registry: \S+@\S+ pid \d+ \(Deploy\), since \d{4}-\d\d-\d\d", second.Output);
        Assert.Contains("Waited 1s (lock-timeout). Run again when it is done; nothing was changed.", second.Output);
        Assert.All(pipeline.Server.ClusterWrites.GroupBy(write => write.Path), writes => Assert.Single(writes));
    }

    [Fact]
    public async Task A_lock_whose_holder_died_expires_and_the_next_run_proceeds_and_releases_it()
    {
        var stale = DateTimeOffset.UtcNow.AddMinutes(-5).UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.ffffff'Z'", CultureInfo.InvariantCulture);
        pipeline.Server.Store.Seed(JsonNode.Parse("""{"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": "docker-registry"}}""")!.AsObject());
        pipeline.Server.Store.Seed(JsonNode.Parse($$"""
            {"apiVersion": "coordination.k8s.io/v1", "kind": "Lease", "metadata": {"name": "registry-pipeline-lock", "namespace": "docker-registry"},
             "spec": {"holderIdentity": "nightly@ci-runner pid 4242 (Deploy)", "leaseDurationSeconds": 60, "acquireTime": "{{stale}}", "renewTime": "{{stale}}"} }
            """)!.AsObject());

        var run = await Run();

        Assert.Equal(0, run.ExitCode);
        Assert.Contains("Taking over the run lock of nightly@ci-runner pid 4242 (Deploy)", run.Output);
        Assert.Null(pipeline.Server.Store.Get(Lease, "docker-registry", "registry-pipeline-lock"));
    }

    [Fact]
    public async Task Runs_that_only_read_take_no_lock()
    {
        await Run();
        pipeline.Server.ForgetRequests();

        await Run("--target=Status");
        await Run("--target=Plan");

        Assert.Empty(pipeline.Server.MutatingRequests);
    }

    private JsonObject? Get(ResourceType type, string name, string ns = "docker-registry") => pipeline.Server.Store.Get(type, ns, name);

    private Task<HostRun> Run(params string[] args) =>
        pipeline.RunAsync(["--host=registry.example.com", "--smoke-test=false", .. args], new Dictionary<string, string>(password));
}
