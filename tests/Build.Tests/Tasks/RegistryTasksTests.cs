using System.Text;
using Registry.Build.Registry;
using Registry.Build.Tests.Fixtures;
using Registry.Build.Tests.Fixtures.Kubernetes;

namespace Registry.Build.Tests.Tasks;

/// <summary>The registry itself (guide steps 7-11 and the rollout), deployed by the real pipeline onto an emulated cluster.</summary>
public sealed class RegistryTasksTests : IAsyncLifetime
{
    private const string Password = "Initial-Passw0rd";
    private static readonly string[] Steps = ["Credentials", "RegistryConfig", "Storage", "Workload", "Service", "Ingress", "Rollout"];
    private static readonly ResourceType Secret = ResourceCatalogue.OfKind("v1", "Secret");
    private static readonly ResourceType Deployment = ResourceCatalogue.OfKind("apps/v1", "Deployment");
    private static readonly ResourceType Claim = ResourceCatalogue.OfKind("v1", "PersistentVolumeClaim");
    private PipelineOnCluster pipeline = null!;

    public async Task InitializeAsync() => pipeline = await PipelineOnCluster.ReadyForDeployAsync();

    public async Task DisposeAsync() => await pipeline.DisposeAsync();

    [Fact]
    public async Task Without_a_password_a_second_deploy_keeps_the_users_entry_writes_nothing_and_the_old_password_still_logs_in()
    {
        await Deploy();
        pipeline.Server.ForgetRequests();

        var run = await pipeline.RunAsync(["--host=registry.example.com", "--smoke-test=false"], []);

        Assert.True(run.ExitCode == 0, run.Output);
        Assert.Contains("No password was given: user admin's htpasswd entry in docker-registry/docker-registry-htpasswd is kept as it is.", run.Output);
        Assert.Empty(pipeline.Server.ClusterWrites);
        Assert.Null(pipeline.Server.Store.Get(Secret, "docker-registry", "docker-registry-password"));
        var config = pipeline.Server.Store.Get(ResourceCatalogue.OfKind("v1", "ConfigMap"), "docker-registry", "docker-registry-config")!["data"]!["config.yml"]!.GetValue<string>();
        var htpasswd = Encoding.UTF8.GetString(Convert.FromBase64String(pipeline.Server.Store.Get(Secret, "docker-registry", "docker-registry-htpasswd")!["data"]!["htpasswd"]!.GetValue<string>()));
        await using var registry = await RealRegistry.StartAsync(config, htpasswd);
        using var http = new HttpClient();
        using var request = new HttpRequestMessage(HttpMethod.Get, new Uri(registry.Address, "v2/_catalog"));
        request.Headers.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Basic", Convert.ToBase64String(Encoding.UTF8.GetBytes($"admin:{Password}")));
        Assert.Equal(System.Net.HttpStatusCode.OK, (await http.SendAsync(request)).StatusCode);
    }

    [Fact]
    public async Task An_undefined_azure_pipelines_variable_is_not_taken_for_a_password()
    {
        var run = await pipeline.RunAsync(["--host=registry.example.com"], new Dictionary<string, string> { ["REGISTRY_PASSWORD"] = "$(RegistryPassword)" });

        Assert.Equal(2, run.ExitCode);
        Assert.Contains("password: is $(RegistryPassword) as written, which is what Azure Pipelines passes for a variable that is not defined", run.Output);
        Assert.Empty(pipeline.Server.Requests);
    }

    [Fact]
    public async Task The_image_store_is_chowned_only_when_its_root_does_not_match_not_on_every_start()
    {
        await Deploy();

        var pod = pipeline.Server.Store.Get(Deployment, "docker-registry", "docker-registry")!["spec"]!["template"]!["spec"]!;
        Assert.Equal("OnRootMismatch", pod["securityContext"]!["fsGroupChangePolicy"]!.GetValue<string>());
    }

    [Fact]
    public async Task A_password_variable_set_but_empty_is_refused_before_any_request()
    {
        var run = await pipeline.RunAsync(["--host=registry.example.com"], new Dictionary<string, string> { ["REGISTRY_PASSWORD"] = string.Empty });

        Assert.Equal(2, run.ExitCode);
        Assert.Contains("password: '' (from $REGISTRY_PASSWORD) is set but empty", run.Output);
        Assert.Empty(pipeline.Server.Requests);
    }

    [Fact]
    public async Task A_full_deploy_creates_every_object_and_checks_the_registry_answers()
    {
        var run = await Deploy();

        Assert.Equal(0, run.ExitCode);
        Assert.All(Steps.SkipLast(1), task => Assert.Contains("Executed", run.ReportRow(task)));
        // The emulated rollout may be over before the step looks: then it only checks /v2/, and says so.
        Assert.Matches("Executed|Skipped: the registry is rolled out and answers /v2/ with 401", run.ReportRow("Rollout"));
        Assert.Contains("answers /v2/ with 401 and a Basic challenge", run.Output);
        foreach (var (type, name) in new[]
        {
            (Secret, "docker-registry-htpasswd"), (Secret, "docker-registry-http-secret"), (ResourceCatalogue.OfKind("v1", "ConfigMap"), "docker-registry-config"),
            (Claim, "docker-registry-data"), (Deployment, "docker-registry"), (ResourceCatalogue.OfKind("v1", "Service"), "docker-registry"),
            (ResourceCatalogue.OfKind("networking.k8s.io/v1", "Ingress"), "docker-registry"),
        })
        {
            Assert.True(pipeline.Server.Store.Get(type, "docker-registry", name) is not null, $"{type.Kind} {name} was not created");
        }

        var ingress = pipeline.Server.Store.Get(ResourceCatalogue.OfKind("networking.k8s.io/v1", "Ingress"), "docker-registry", "docker-registry")!;
        Assert.Equal("0", ingress["metadata"]!["annotations"]!["nginx.ingress.kubernetes.io/proxy-body-size"]!.GetValue<string>());
        Assert.Equal("docker-registry-tls-certificate", ingress["spec"]!["tls"]![0]!["secretName"]!.GetValue<string>());
        var container = pipeline.Server.Store.Get(Deployment, "docker-registry", "docker-registry")!["spec"]!["template"]!["spec"]!["containers"]![0]!;
        Assert.Equal("registry:3.1.1", container["image"]!.GetValue<string>());
        Assert.Equal("[\"serve\",\"/etc/registry/config.yml\"]", container["args"]!.ToJsonString());
        Assert.DoesNotContain(Password, run.Output);
    }

    [Fact]
    public async Task A_second_deploy_writes_nothing_and_does_not_roll_the_pods()
    {
        await Deploy();
        var generation = Generation();
        pipeline.Server.ForgetRequests();

        var run = await Deploy();

        Assert.Equal(0, run.ExitCode);
        Assert.All(Steps, task => Assert.Matches(@"Skipped: \S", run.ReportRow(task)));
        Assert.Empty(pipeline.Server.ClusterWrites);
        Assert.Equal(generation, Generation());
    }

    [Fact]
    public async Task A_new_password_rewrites_exactly_the_htpasswd_secret_and_leaves_the_pods_running()
    {
        await Deploy();
        var checksum = Checksum();
        pipeline.Server.ForgetRequests();

        var run = await Deploy("Changed-Passw0rd");

        Assert.Equal(0, run.ExitCode);
        // The pods read the new file from their mount; a restart would only interrupt pulls.
        Assert.Equal(["/api/v1/namespaces/docker-registry/secrets/docker-registry-htpasswd"], pipeline.Server.ClusterWrites.Select(request => request.Path));
        Assert.Equal(checksum, Checksum());
        var htpasswd = Encoding.UTF8.GetString(Convert.FromBase64String(pipeline.Server.Store.Get(Secret, "docker-registry", "docker-registry-htpasswd")!["data"]!["htpasswd"]!.GetValue<string>()));
        Assert.True(Htpasswd.Verifies(Htpasswd.Parse(htpasswd)["admin"], "Changed-Passw0rd"));
    }

    [Fact]
    public async Task A_smaller_storage_size_fails_clearly_and_the_claim_is_not_shrunk()
    {
        await Deploy();
        pipeline.Server.ForgetRequests();

        var run = await Deploy(Password, "--storage-size=5Gi");

        Assert.Equal(1, run.ExitCode);
        Assert.Contains("storage-size 5Gi is smaller than the claim docker-registry/docker-registry-data already has (10Gi): a PersistentVolumeClaim cannot shrink", run.Output);
        Assert.Empty(pipeline.Server.ClusterWrites);
        Assert.Equal("10Gi", pipeline.Server.Store.Get(Claim, "docker-registry", "docker-registry-data")!["spec"]!["resources"]!["requests"]!["storage"]!.GetValue<string>());
    }

    [Fact]
    public async Task Without_a_password_one_is_generated_kept_and_never_printed()
    {
        var first = await pipeline.RunAsync("--host=registry.example.com", "--smoke-test=false");
        var stored = pipeline.Server.Store.Get(Secret, "docker-registry", RegistryCredentials.PasswordSecret)!;
        var generated = Encoding.UTF8.GetString(Convert.FromBase64String(stored["data"]!["password"]!.GetValue<string>()));
        pipeline.Server.ForgetRequests();

        var second = await pipeline.RunAsync("--host=registry.example.com", "--smoke-test=false");

        Assert.Equal(0, first.ExitCode);
        Assert.Equal(32, generated.Length);
        Assert.Contains($"kubectl -n docker-registry get secret {RegistryCredentials.PasswordSecret} -o jsonpath='{{.data.password}}' | base64 -d", first.Output);
        Assert.DoesNotContain(generated, first.Output + second.Output);
        Assert.Empty(pipeline.Server.ClusterWrites);
    }

    private Task<HostRun> Deploy(string password = Password, params string[] args) =>
        pipeline.RunAsync(["--host=registry.example.com", "--smoke-test=false", .. args], new Dictionary<string, string> { ["REGISTRY_PASSWORD"] = password });

    private long Generation() => pipeline.Server.Store.Get(Deployment, "docker-registry", "docker-registry")!["metadata"]!["generation"]!.GetValue<long>();

    private string Checksum() => pipeline.Server.Store.Get(Deployment, "docker-registry", "docker-registry")!
        ["spec"]!["template"]!["metadata"]!["annotations"]!["registry-pipeline/config-checksum"]!.GetValue<string>();
}
