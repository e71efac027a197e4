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
