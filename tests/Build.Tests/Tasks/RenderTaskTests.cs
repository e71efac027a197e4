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
                "01-namespace-docker-registry.yaml", "02-issuer-selfsigned.yaml", "03-certificate-registry-ca.yaml", "04-issuer-registry-ca.yaml",
                "05-certificate-docker-registry-tls-certificate.yaml", "06-secret-docker-registry-htpasswd.yaml", "07-secret-docker-registry-http-secret.yaml",
                "08-configmap-docker-registry-config.yaml", "09-persistentvolumeclaim-docker-registry-data.yaml", "10-deployment-docker-registry.yaml",
                "11-service-docker-registry.yaml", "12-ingress-docker-registry.yaml", "all.yaml",
            ],
            files);
        var all = await File.ReadAllTextAsync(Path.Combine(manifests, "all.yaml"));
        Assert.Equal(12, YamlToJson.Documents(all).Count);
        Assert.Contains(RenderTask.Redacted, all);
        Assert.DoesNotContain("$2y$", all);
        Assert.DoesNotContain("Never-Rendered-1", run.Output + all);
        Assert.Contains("registry.example.test", await File.ReadAllTextAsync(Path.Combine(manifests, "12-ingress-docker-registry.yaml")));
    }

    [Fact]
    public async Task Render_secrets_writes_the_htpasswd_when_asked()
    {
        var run = await Render(["--render-secrets=true"], new Dictionary<string, string> { ["REGISTRY_PASSWORD"] = "pw" });

        Assert.Equal(0, run.ExitCode);
        var secret = YamlToJson.Documents(await File.ReadAllTextAsync(Path.Combine(directory.Path, "artifacts", "manifests", "06-secret-docker-registry-htpasswd.yaml")))[0];
        var htpasswd = System.Text.Encoding.UTF8.GetString(Convert.FromBase64String(secret["data"]!["htpasswd"]!.GetValue<string>()));
        Assert.StartsWith("admin:$2y$10$", htpasswd);
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
        var rendered = YamlToJson.Documents(await File.ReadAllTextAsync(Path.Combine(pipeline.Artifacts, "manifests", "06-secret-docker-registry-htpasswd.yaml")))[0];
        Assert.Equal(live, rendered["data"]!["htpasswd"]!.GetValue<string>());
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
