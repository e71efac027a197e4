using System.Text;
using System.Text.Json.Nodes;
using Registry.Build.Manifests;
using Registry.Build.Tests.Fixtures;
using Registry.Build.Tests.Fixtures.Kubernetes;

namespace Registry.Build.Tests.Tasks;

/// <summary>The registry on object storage with several replicas, deployed by the real pipeline onto an emulated cluster.</summary>
public sealed class ObjectStorageTests : IAsyncLifetime
{
    // Canaries: each must reach the storage Secret and nowhere else.
    private const string AccessKey = "CANARYACCESSKEY0001";
    private const string SecretKey = "canary/Secret+Key/0002";
    private const string RedisPassword = "canary-redis-0003";
    private static readonly ResourceType Secret = ResourceCatalogue.OfKind("v1", "Secret");
    private static readonly ResourceType ConfigMap = ResourceCatalogue.OfKind("v1", "ConfigMap");
    private static readonly ResourceType Deployment = ResourceCatalogue.OfKind("apps/v1", "Deployment");
    private static readonly ResourceType Claim = ResourceCatalogue.OfKind("v1", "PersistentVolumeClaim");
    private static readonly ResourceType Budget = ResourceCatalogue.OfKind("policy/v1", "PodDisruptionBudget");
    private static readonly ResourceType Autoscaler = ResourceCatalogue.OfKind("autoscaling/v2", "HorizontalPodAutoscaler");

    private static readonly string[] S3 =
    [
        "--host=registry.example.com", "--smoke-test=false", "--storage=s3", "--s3-bucket=team-images", "--s3-endpoint=https://minio.storage:9000",
        "--s3-root-directory=/registry", "--redis-url=redis://redis.cache:6379/2",
    ];

    private PipelineOnCluster pipeline = null!;

    public async Task InitializeAsync() => pipeline = await PipelineOnCluster.ReadyForDeployAsync();

    public async Task DisposeAsync() => await pipeline.DisposeAsync();

    [Fact]
    public async Task S3_with_three_replicas_runs_on_no_claim_with_the_keys_from_a_secret_rolling_one_pod_at_a_time()
    {
        var run = await Deploy("--replicas=3");

        Assert.True(run.ExitCode == 0, run.Output);
        Assert.Null(pipeline.Server.Store.Get(Claim, "docker-registry", "docker-registry-data"));
        Assert.Contains("Skipped: storage is s3: the images are in the store, on no claim", run.ReportRow("Storage"));
        var deployment = pipeline.Server.Store.Get(Deployment, "docker-registry", "docker-registry")!;
        var pod = deployment["spec"]!["template"]!["spec"]!;
        Assert.Equal(3, deployment["spec"]!["replicas"]!.GetValue<long>());
        Assert.Equal("RollingUpdate", deployment["spec"]!["strategy"]!["type"]!.GetValue<string>());
        Assert.DoesNotContain("persistentVolumeClaim", pod["volumes"]!.ToJsonString());
        Assert.DoesNotContain("/var/lib/registry", pod["containers"]![0]!["volumeMounts"]!.ToJsonString());
        var env = pod["containers"]![0]!["env"]!.AsArray().ToDictionary(item => item!["name"]!.GetValue<string>(), item => item!["valueFrom"]?["secretKeyRef"]);
        Assert.Equal("docker-registry-storage/s3-access-key", Reference(env["REGISTRY_STORAGE_S3_ACCESSKEY"]));
        Assert.Equal("docker-registry-storage/s3-secret-key", Reference(env["REGISTRY_STORAGE_S3_SECRETKEY"]));
        Assert.Equal("docker-registry-storage/redis-password", Reference(env["REGISTRY_REDIS_PASSWORD"]));
        Assert.Equal("docker-registry-http-secret/http-secret", Reference(env["REGISTRY_HTTP_SECRET"]));
        var spread = pod["topologySpreadConstraints"]!.AsArray();
        Assert.Contains(spread, constraint => constraint!["topologyKey"]!.GetValue<string>() == "kubernetes.io/hostname" && constraint["maxSkew"]!.GetValue<long>() == 1);
        var budget = pipeline.Server.Store.Get(Budget, "docker-registry", "docker-registry")!;
        Assert.Equal(2, budget["spec"]!["minAvailable"]!.GetValue<long>());
        Assert.Equal("docker-registry", budget["spec"]!["selector"]!["matchLabels"]!["app.kubernetes.io/name"]!.GetValue<string>());

        var stored = pipeline.Server.Store.Get(Secret, "docker-registry", "docker-registry-storage")!["data"]!.AsObject();
        Assert.Equal(AccessKey, Decode(stored["s3-access-key"]));
        Assert.Equal(SecretKey, Decode(stored["s3-secret-key"]));
        Assert.Equal(RedisPassword, Decode(stored["redis-password"]));
        var config = YamlToJson.Documents(ConfigYml())[0]!;
        Assert.Equal("team-images", config["storage"]!["s3"]!["bucket"]!.GetValue<string>());
        Assert.Equal("https://minio.storage:9000", config["storage"]!["s3"]!["regionendpoint"]!.GetValue<string>());
        Assert.True(config["storage"]!["s3"]!["forcepathstyle"]!.GetValue<bool>());
        Assert.Null(config["storage"]!["filesystem"]);
        Assert.Equal("redis", config["storage"]!["cache"]!["blobdescriptor"]!.GetValue<string>());
        // registry:3 takes go-redis' options: a list of addresses.
        Assert.Equal("[\"redis.cache:6379\"]", config["redis"]!["addrs"]!.ToJsonString());
        Assert.Equal(2, config["redis"]!["db"]!.GetValue<long>());
        AssertNoCanary(run.Output);
        foreach (var map in pipeline.Server.Store.List(ConfigMap, null))
        {
            AssertNoCanary(map.ToJsonString());
        }
    }

    [Fact]
    public async Task A_second_deploy_on_object_storage_makes_no_writes()
    {
        await Deploy("--replicas=3");
        pipeline.Server.ForgetRequests();

        var run = await Deploy("--replicas=3");

        Assert.True(run.ExitCode == 0, run.Output);
        Assert.Empty(pipeline.Server.ClusterWrites);
    }

    [Fact]
    public async Task A_second_deploy_without_the_keys_keeps_the_ones_the_cluster_has_and_says_so()
    {
        await Deploy("--replicas=2");
        pipeline.Server.ForgetRequests();

        var run = await pipeline.RunAsync([.. S3, "--replicas=2"], []);

        Assert.True(run.ExitCode == 0, run.Output);
        Assert.Contains("Not given in this run, so kept as Secret docker-registry/docker-registry-storage has them: s3-access-key, s3-secret-key, redis-password.", run.Output);
        Assert.Empty(pipeline.Server.ClusterWrites);
        AssertNoCanary(run.Output);
    }

    [Fact]
    public async Task Without_keys_the_pods_log_in_with_their_service_accounts_identity()
    {
        var missing = await pipeline.RunAsync(["--host=registry.example.com", "--storage=s3", "--s3-bucket=team-images", "--s3-region=eu-west-1", "--service-account=registry-irsa"], []);
        Assert.Equal(2, missing.ExitCode);
        Assert.Contains("service-account: 'registry-irsa' (from the command line) names a ServiceAccount namespace docker-registry does not have", missing.Output);
        Assert.DoesNotContain(pipeline.Server.Requests, request => request.Mutating);
        pipeline.Server.Store.Seed(new JsonObject
        {
            ["apiVersion"] = "v1", ["kind"] = "Namespace", ["metadata"] = new JsonObject { ["name"] = "docker-registry" },
        }, "platform-team");
        pipeline.Server.Store.Seed(new JsonObject
        {
            ["apiVersion"] = "v1", ["kind"] = "ServiceAccount",
            ["metadata"] = new JsonObject { ["name"] = "registry-irsa", ["namespace"] = "docker-registry", ["annotations"] = new JsonObject { ["eks.amazonaws.com/role-arn"] = "arn:aws:iam::111122223333:role/registry" } },
        }, "platform-team");

        var run = await pipeline.RunAsync(["--host=registry.example.com", "--smoke-test=false", "--storage=s3", "--s3-bucket=team-images", "--s3-region=eu-west-1", "--service-account=registry-irsa"], []);

        Assert.True(run.ExitCode == 0, run.Output);
        Assert.Contains("storage=s3 without keys: the registry logs in with the pod's identity, ServiceAccount registry-irsa's", run.Output);
        Assert.Null(pipeline.Server.Store.Get(Secret, "docker-registry", "docker-registry-storage"));
        var pod = pipeline.Server.Store.Get(Deployment, "docker-registry", "docker-registry")!["spec"]!["template"]!["spec"]!;
        Assert.Equal("registry-irsa", pod["serviceAccountName"]!.GetValue<string>());
        Assert.DoesNotContain("STORAGE_S3", pod.ToJsonString());
        var account = pipeline.Server.Store.Get(ResourceCatalogue.OfKind("v1", "ServiceAccount"), "docker-registry", "registry-irsa")!;
        Assert.Equal("platform-team", Assert.Single(account["metadata"]!["managedFields"]!.AsArray())!["manager"]!.GetValue<string>());
    }

    [Fact]
    public async Task Render_shows_the_store_and_redacts_its_keys()
    {
        var run = await pipeline.RunAsync([.. S3, "--target=Render", "--replicas=3"], Keys());

        Assert.True(run.ExitCode == 0, run.Output);
        var all = await File.ReadAllTextAsync(Path.Combine(pipeline.Artifacts, "manifests", "all.yaml"));
        Assert.Contains("bucket: team-images", all);
        Assert.Contains("name: docker-registry-storage", all);
        AssertNoCanary(all + run.Output);
    }

    [Fact]
    public async Task Plan_shows_the_store_and_the_names_of_its_keys_never_their_values()
    {
        var run = await pipeline.RunAsync([.. S3, "--target=Plan", "--replicas=3"], Keys());

        Assert.True(run.ExitCode == 0, run.Output);
        Assert.Contains("store     s3 regionendpoint=https://minio.storage:9000 bucket=team-images rootdirectory=/registry; keys s3-access-key, s3-secret-key, redis-password from Secret docker-registry-storage", run.Output);
        Assert.Contains("create    Secret docker-registry/docker-registry-storage", run.Output);
        Assert.Contains("create    PodDisruptionBudget docker-registry/docker-registry", run.Output);
        Assert.DoesNotContain("PersistentVolumeClaim", run.Output);
        AssertNoCanary(run.Output);
        Assert.Empty(pipeline.Server.ClusterWrites);
    }

    [Fact]
    public async Task Destroy_on_object_storage_removes_the_replicas_their_budget_and_keys_and_has_no_claim_to_keep()
    {
        await Deploy("--replicas=2");

        var run = await pipeline.RunAsync(["--host=registry.example.com", "--target=Destroy", "--confirm=true"], []);

        Assert.True(run.ExitCode == 0, run.Output);
        Assert.Null(pipeline.Server.Store.Get(Deployment, "docker-registry", "docker-registry"));
        Assert.Null(pipeline.Server.Store.Get(Budget, "docker-registry", "docker-registry"));
        Assert.Null(pipeline.Server.Store.Get(Secret, "docker-registry", "docker-registry-storage"));
        Assert.DoesNotContain("PersistentVolumeClaim", run.Output);
        Assert.DoesNotContain(pipeline.Server.Requests, request => request.Path.Contains("persistentvolumeclaims", StringComparison.Ordinal) && request.Method != "GET");
    }

    [Theory]
    [InlineData(true, "shared_key")]
    [InlineData(false, "default_credentials")]
    public async Task Azure_on_registry_3_logs_in_with_the_account_key_or_else_with_the_pods_workload_identity(bool key, string credentials)
    {
        var environment = key ? new Dictionary<string, string> { ["REGISTRY_AZURE_ACCOUNT_KEY"] = "YWNjb3VudC1rZXk=" } : [];

        var run = await pipeline.RunAsync(["--host=registry.example.com", "--target=Render", "--storage=azure", "--azure-account=acmeregistry", "--azure-container=images"], environment);

        Assert.True(run.ExitCode == 0, run.Output);
        var documents = YamlToJson.Documents(await File.ReadAllTextAsync(Path.Combine(pipeline.Artifacts, "manifests", "all.yaml")));
        var config = YamlToJson.Documents(documents.Single(document => document["metadata"]!["name"]!.GetValue<string>() == "docker-registry-config")["data"]!["config.yml"]!.GetValue<string>())[0]!;
        var pod = documents.Single(document => document["kind"]!.GetValue<string>() == "Deployment")["spec"]!["template"]!;
        Assert.Equal(credentials, config["storage"]!["azure"]!["credentials"]!["type"]!.GetValue<string>());
        Assert.Equal("acmeregistry", config["storage"]!["azure"]!["accountname"]!.GetValue<string>());
        Assert.Equal(key, pod.ToJsonString().Contains("REGISTRY_STORAGE_AZURE_ACCOUNTKEY", StringComparison.Ordinal));
        Assert.Equal(!key, pod["metadata"]!["labels"]?["azure.workload.identity/use"]?.GetValue<string>() == "true");
    }

    [Fact]
    public async Task An_azure_account_key_kept_from_the_cluster_still_logs_the_registry_in_with_it()
    {
        string[] azure = ["--host=registry.example.com", "--smoke-test=false", "--storage=azure", "--azure-account=acmeregistry", "--azure-container=images"];
        var first = await pipeline.RunAsync(azure, new Dictionary<string, string> { ["REGISTRY_PASSWORD"] = "Initial-Passw0rd", ["REGISTRY_AZURE_ACCOUNT_KEY"] = "YWNjb3VudC1rZXk=" });
        pipeline.Server.ForgetRequests();

        var second = await pipeline.RunAsync(azure, new Dictionary<string, string> { ["REGISTRY_PASSWORD"] = "Initial-Passw0rd" });

        Assert.True(first.ExitCode == 0, first.Output);
        Assert.True(second.ExitCode == 0, second.Output);
        Assert.Contains("kept as Secret docker-registry/docker-registry-storage has them: azure-account-key", second.Output);
        Assert.Empty(pipeline.Server.ClusterWrites);
        Assert.Contains("type: shared_key", ConfigYml());
    }

    [Fact]
    public async Task Autoscaling_leaves_the_replica_count_to_an_autoscaler_and_a_second_deploy_writes_nothing()
    {
        var first = await Deploy("--replicas=2", "--autoscale-max=6", "--wait-timeout=20s");
        pipeline.Server.ForgetRequests();
        var second = await Deploy("--replicas=2", "--autoscale-max=6");

        Assert.True(first.ExitCode == 0, first.Output);
        Assert.True(second.ExitCode == 0, second.Output);
        Assert.Empty(pipeline.Server.ClusterWrites);
        var autoscaler = pipeline.Server.Store.Get(Autoscaler, "docker-registry", "docker-registry")!;
        Assert.Equal(2, autoscaler["spec"]!["minReplicas"]!.GetValue<long>());
        Assert.Equal(6, autoscaler["spec"]!["maxReplicas"]!.GetValue<long>());
        Assert.Equal("Deployment", autoscaler["spec"]!["scaleTargetRef"]!["kind"]!.GetValue<string>());
        Assert.Equal(1, pipeline.Server.Store.Get(Budget, "docker-registry", "docker-registry")!["spec"]!["maxUnavailable"]!.GetValue<long>());
        // Written by the pipeline, not by the emulated autoscaler: a new Deployment starts at the autoscaler's minimum.
        Assert.Equal(2, pipeline.Server.Store.Versions(Deployment, "docker-registry", "docker-registry")[^1]["spec"]!["replicas"]!.GetValue<long>());
        // The count is the autoscaler's: the pipeline's field manager does not hold it.
        var deployment = pipeline.Server.Store.Get(Deployment, "docker-registry", "docker-registry")!;
        Assert.DoesNotContain("f:replicas", deployment["metadata"]!["managedFields"]!.AsArray()
            .Where(entry => entry!["manager"]!.GetValue<string>() == "registry-pipeline").Select(entry => entry!["fieldsV1"]!.ToJsonString()).FirstOrDefault() ?? string.Empty);
    }

    [Theory]
    [InlineData(new[] { "--storage=s3" }, "s3-bucket: is required with storage=s3")]
    [InlineData(new[] { "--storage=s3", "--s3-bucket=images" }, "s3-region: is required with storage=s3")]
    [InlineData(new[] { "--replicas=3" }, "replicas: '3' (from the command line) needs storage every replica can share, but storage is filesystem with storage-access-mode ReadWriteOnce")]
    [InlineData(new[] { "--s3-bucket=images" }, "s3-bucket: 'images' (from the command line) belongs to storage=s3, but storage is filesystem")]
    [InlineData(new[] { "--storage=s3", "--s3-bucket=images", "--s3-endpoint=http://minio:9000" }, "s3-secure: 'true' is true, but s3-endpoint http://minio:9000 is plain http")]
    [InlineData(new[] { "--storage=s3", "--s3-bucket=Images_1", "--s3-region=eu-west-1" }, "s3-bucket: 'Images_1' (from the command line) is not a bucket name")]
    [InlineData(new[] { "--storage=azure", "--azure-account=store" }, "azure-container: is required with storage=azure")]
    [InlineData(new[] { "--redis-url=redis://:pw@redis:6379" }, "redis-url: 'redis://********@redis:6379' (from the command line) holds a user or password")]
    [InlineData(new[] { "--redis-url=rediss://:pw@redis:6379/0?x=1" }, "redis-url: 'rediss://********@redis:6379/0?x=1' (from the command line) holds a user or password")]
    [InlineData(new[] { "--storage=s3", "--s3-bucket=images", "--s3-endpoint=https://AKIA:secret@minio:9000" }, "s3-endpoint: 'https://********@minio:9000' (from the command line) holds a user or password")]
    [InlineData(new[] { "--image=registry:2.8.3", "--storage=s3", "--s3-bucket=images", "--s3-endpoint=https://minio:9000", "--s3-force-path-style=true" }, "s3-force-path-style: 'true' (from the command line) is not read by registry:2.8.3")]
    [InlineData(new[] { "--storage=gcs", "--gcs-bucket=images", "--gcs-key-file=/nonexistent/key.json" }, "gcs-key-file: '/nonexistent/key.json' (from the command line) cannot be read")]
    [InlineData(new[] { "--image=registry:2.8.3", "--redis-url=rediss://redis:6380" }, "asks for TLS, which registry:2.8.3 cannot speak to Redis")]
    [InlineData(new[] { "--storage=s3", "--s3-bucket=images", "--s3-region=eu-west-1", "--autoscale-max=1" }, "autoscale-max: '1' (from the command line) is not more than replicas (1)")]
    public async Task Bad_storage_settings_exit_2_before_any_request(string[] args, string expected)
    {
        var run = await pipeline.RunAsync(["--host=registry.example.com", .. args], []);

        Assert.Equal(2, run.ExitCode);
        Assert.Contains(expected, run.Output);
        Assert.DoesNotContain(":pw@", run.Output);
        Assert.DoesNotContain("AKIA:secret", run.Output);
        Assert.Empty(pipeline.Server.Requests);
    }

    [Fact]
    public async Task An_s3_key_on_the_command_line_is_refused_before_any_request()
    {
        var run = await pipeline.RunAsync(["--host=registry.example.com", "--storage=s3", "--s3-bucket=images", "--s3-region=eu-west-1", $"--s3-secret-key={SecretKey}"], []);

        Assert.Equal(2, run.ExitCode);
        Assert.True(run.Output.Contains("s3-secret-key: is not accepted from the command line, where it would end up in shell history", StringComparison.Ordinal), run.Output);
        Assert.Contains("expected $REGISTRY_S3_SECRET_KEY or --s3-secret-key-file=FILE", run.Output);
        Assert.Empty(pipeline.Server.Requests);
    }

    [Fact]
    public async Task Moving_a_live_registry_to_another_store_is_refused_until_confirmed_and_the_old_claim_is_kept()
    {
        var first = await pipeline.RunAsync(["--host=registry.example.com", "--smoke-test=false"], new Dictionary<string, string> { ["REGISTRY_PASSWORD"] = "Initial-Passw0rd" });
        Assert.True(first.ExitCode == 0, first.Output);
        pipeline.Server.ForgetRequests();

        var refused = await Deploy();

        Assert.Equal(2, refused.ExitCode);
        Assert.Contains("storage: 's3' (from the command line) would move the registry in docker-registry from the store it serves (filesystem rootdirectory=/var/lib/registry) " +
            "to another (s3 regionendpoint=https://minio.storage:9000 bucket=team-images rootdirectory=/registry), where its images are not", refused.Output);
        Assert.Contains("confirm-storage-change=true", refused.Output);
        Assert.DoesNotContain(pipeline.Server.ClusterWrites, request => !request.Path.Contains("/leases", StringComparison.Ordinal));

        var confirmed = await Deploy("--confirm-storage-change=true");

        Assert.True(confirmed.ExitCode == 0, confirmed.Output);
        Assert.Contains("bucket: team-images", ConfigYml());
        Assert.NotNull(pipeline.Server.Store.Get(Claim, "docker-registry", "docker-registry-data"));
        Assert.Contains("PersistentVolumeClaim docker-registry/docker-registry-data no longer wanted but kept, holding data", confirmed.ReportRow("Prune"));
        var pod = pipeline.Server.Store.Get(Deployment, "docker-registry", "docker-registry")!["spec"]!["template"]!["spec"]!;
        Assert.DoesNotContain("docker-registry-data", pod.ToJsonString());
    }

    [Fact]
    public async Task Moving_back_from_object_storage_to_a_claim_rolls_by_recreating_the_pods_again()
    {
        await Deploy("--replicas=2");

        var back = await pipeline.RunAsync(["--host=registry.example.com", "--smoke-test=false", "--confirm-storage-change=true"], Keys());

        Assert.True(back.ExitCode == 0, back.Output);
        var strategy = pipeline.Server.Store.Get(Deployment, "docker-registry", "docker-registry")!["spec"]!["strategy"]!;
        Assert.Equal("""{"type":"Recreate"}""", strategy.ToJsonString());
        Assert.NotNull(pipeline.Server.Store.Get(Claim, "docker-registry", "docker-registry-data"));
        Assert.Null(pipeline.Server.Store.Get(Budget, "docker-registry", "docker-registry"));
    }

    [Fact]
    public async Task Turning_autoscaling_on_hands_the_replica_count_over_without_a_dip_to_one_pod()
    {
        await Deploy("--replicas=3");

        var run = await Deploy("--replicas=3", "--autoscale-max=6");

        Assert.True(run.ExitCode == 0, run.Output);
        var versions = pipeline.Server.Store.Versions(Deployment, "docker-registry", "docker-registry");
        Assert.All(versions, version => Assert.Equal(3, version["spec"]!["replicas"]!.GetValue<long>()));
        Assert.Contains("its 3 replicas are handed over to the autoscaler", run.Output);
        var second = await Deploy("--replicas=3", "--autoscale-max=6");
        Assert.DoesNotContain("handed over", second.Output);
    }

    private Task<HostRun> Deploy(params string[] extra) => pipeline.RunAsync([.. S3, .. extra], Keys());

    private static Dictionary<string, string> Keys() => new()
    {
        ["REGISTRY_PASSWORD"] = "Initial-Passw0rd",
        ["REGISTRY_S3_ACCESS_KEY"] = AccessKey,
        ["REGISTRY_S3_SECRET_KEY"] = SecretKey,
        ["REGISTRY_REDIS_PASSWORD"] = RedisPassword,
    };

    private string ConfigYml() => pipeline.Server.Store.Get(ConfigMap, "docker-registry", "docker-registry-config")!["data"]!["config.yml"]!.GetValue<string>();

    private static string Reference(JsonNode? selector) => $"{selector!["name"]}/{selector["key"]}";

    private static string Decode(JsonNode? value) => Encoding.UTF8.GetString(Convert.FromBase64String(value!.GetValue<string>()));

    private static void AssertNoCanary(string text)
    {
        foreach (var canary in new[] { AccessKey, SecretKey, RedisPassword, Convert.ToBase64String(Encoding.UTF8.GetBytes(SecretKey)) })
        {
            Assert.DoesNotContain(canary, text);
        }
    }
}
