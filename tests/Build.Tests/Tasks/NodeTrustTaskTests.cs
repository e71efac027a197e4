using System.Text;
using System.Text.Json.Nodes;
using Registry.Build.Manifests;
using Registry.Build.Tests.Fixtures;
using Registry.Build.Tests.Fixtures.Kubernetes;

namespace Registry.Build.Tests.Tasks;

/// <summary>
/// NodeTrust and the cluster pull check, a whole Deploy at a time: the registry served over TLS from a private CA (the
/// real registry, with the CA cert-manager would have made), a node that reaches it by the registry's host, and its kubelet.
/// </summary>
public sealed class NodeTrustTaskTests : IAsyncLifetime
{
    private const string Password = "Node-Passw0rd-7";
    private const string Host = "registry.example.com";
    private const string CertsD = "/etc/containerd/certs.d/" + Host;
    private static readonly ResourceType Secret = ResourceCatalogue.OfKind("v1", "Secret");
    private readonly TemporaryDirectory directory = new();
    private PipelineOnCluster pipeline = null!;
    private TestCertificates certificates = null!;
    private RealRegistry registry = null!;

    public async Task InitializeAsync()
    {
        pipeline = await PipelineOnCluster.ReadyForDeployAsync();
        certificates = new TestCertificates(directory.Path);
        registry = await RealRegistry.StartAsync(
            "version: 0.1\nstorage:\n  filesystem:\n    rootdirectory: /tmp\n  delete:\n    enabled: true\nhttp:\n  addr: :5000\nauth:\n  htpasswd:\n    realm: basic-realm\n    path: /auth/htpasswd\n",
            global::Registry.Build.Registry.Htpasswd.Build([new global::Registry.Build.Registry.Credential("admin", new global::Registry.Build.Settings.Secret(Password))], null, 10),
            tls: (certificates.ServerCertificate, certificates.ServerKey));
        pipeline.Server.Node.Registries[Host] = registry.Address;
        // The private CA as cert-manager would have issued it: the registry's server certificate is signed by it.
        pipeline.Server.Store.Seed(new JsonObject { ["apiVersion"] = "v1", ["kind"] = "Namespace", ["metadata"] = new JsonObject { ["name"] = "docker-registry" } });
        pipeline.Server.Store.Seed(new JsonObject
        {
            ["apiVersion"] = "v1", ["kind"] = "Secret", ["type"] = "kubernetes.io/tls",
            ["metadata"] = new JsonObject { ["name"] = "registry-ca", ["namespace"] = "docker-registry" },
            ["data"] = new JsonObject
            {
                ["tls.crt"] = Convert.ToBase64String(Encoding.UTF8.GetBytes(certificates.CaPem)),
                ["ca.crt"] = Convert.ToBase64String(Encoding.UTF8.GetBytes(certificates.CaPem)),
                ["tls.key"] = Convert.ToBase64String("the CA's key"u8.ToArray()),
            },
        }, "cert-manager-certificates");
    }

    public async Task DisposeAsync()
    {
        await pipeline.DisposeAsync();
        await registry.DisposeAsync();
        directory.Dispose();
    }

    [Fact]
    public async Task With_trust_ca_on_nodes_every_node_gets_hosts_toml_and_the_ca_and_a_pod_pulls_the_smoke_image()
    {
        var run = await Deploy("--trust-ca-on-nodes=true");

        Assert.True(run.ExitCode == 0, run.Output);
        var files = pipeline.Server.Node.FilesUnder(CertsD);
        Assert.Equal(certificates.CaPem, files[$"{CertsD}/ca.crt"]);
        Assert.Contains($"server = \"https://{Host}\"", files[$"{CertsD}/hosts.toml"]);
        Assert.Contains($"ca = \"{CertsD}/ca.crt\"", files[$"{CertsD}/hosts.toml"]);
        Assert.DoesNotContain("the CA's key", string.Concat(files.Values));
        Assert.Contains($"Every node's containerd trusts the private CA for {Host}", run.Output);
        Assert.Matches(@"A node pulled registry\.example\.com/smoke/registry-pipeline@sha256:[0-9a-f]{64}: Successfully pulled image", run.Output);
        Assert.DoesNotContain(Password, run.Output);
    }

    [Fact]
    public async Task A_second_deploy_skips_node_trust_and_destroy_removes_the_files_it_wrote()
    {
        var first = await Deploy("--trust-ca-on-nodes=true", "--smoke-test=false");
        pipeline.Server.ForgetRequests();
        var second = await Deploy("--trust-ca-on-nodes=true", "--smoke-test=false");
        var secondWrites = pipeline.Server.ClusterWrites;
        var destroy = await pipeline.RunAsync(["--target=Destroy", "--confirm=true", $"--host={Host}", "--trust-ca-on-nodes=true"], []);
        await WaitUntil(() => pipeline.Server.Node.FilesUnder(CertsD).Count == 0);

        Assert.True(first.ExitCode == 0, first.Output);
        Assert.True(second.ExitCode == 0, second.Output);
        Assert.Contains("Skipping NodeTrust: DaemonSet docker-registry/docker-registry-node-trust has put the CA on every node", second.Output);
        Assert.Empty(secondWrites);
        Assert.True(destroy.ExitCode == 0, destroy.Output);
        Assert.Empty(pipeline.Server.Node.FilesUnder(CertsD));
    }

    [Fact]
    public async Task Turning_it_off_prunes_the_daemonset_and_the_nodes_lose_the_files()
    {
        await Deploy("--trust-ca-on-nodes=true", "--smoke-test=false");

        var off = await Deploy("--smoke-test=false");
        await WaitUntil(() => pipeline.Server.Node.FilesUnder(CertsD).Count == 0);

        Assert.True(off.ExitCode == 0, off.Output);
        Assert.Null(pipeline.Server.Store.Get(ResourceCatalogue.OfKind("apps/v1", "DaemonSet"), "docker-registry", "docker-registry-node-trust"));
        Assert.Empty(pipeline.Server.Node.FilesUnder(CertsD));
    }

    [Fact]
    public async Task Asked_for_a_cluster_pull_without_node_trust_the_run_fails_with_the_kubelets_x509_message_and_the_fix()
    {
        var run = await Deploy("--smoke-cluster-pull=true");

        Assert.Equal(1, run.ExitCode);
        Assert.Contains("x509: certificate signed by unknown authority", run.Output);
        Assert.Contains("set trust-ca-on-nodes=true", run.Output);
        var kept = await File.ReadAllTextAsync(Path.Combine(pipeline.Artifacts, "diagnostics", "cluster-pull.txt"));
        Assert.Contains("Warning Failed: Failed to pull image \"registry.example.com/smoke/registry-pipeline@sha256:", kept);
        Assert.Contains("\"reason\": \"ErrImagePull\"", kept);
        Assert.DoesNotContain(Password, kept);
        Assert.Empty(pipeline.Server.Store.List(ResourceCatalogue.OfKind("v1", "Pod"), "docker-registry"));
        Assert.DoesNotContain(pipeline.Server.Store.List(Secret, "docker-registry"), secret => secret["metadata"]!["name"]!.GetValue<string>().StartsWith("registry-smoke-pull-", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Asking_nothing_of_the_nodes_a_failed_cluster_pull_is_a_warning_with_the_same_fix()
    {
        var run = await Deploy();

        Assert.True(run.ExitCode == 0, run.Output);
        Assert.Contains("The registry works from this runner, but not yet for the cluster's own pods", run.Output);
        Assert.Contains("x509: certificate signed by unknown authority", run.Output);
        Assert.Contains("set trust-ca-on-nodes=true", run.Output);
    }

    [Fact]
    public async Task Smoke_cluster_pull_false_skips_the_pod()
    {
        var run = await Deploy("--smoke-cluster-pull=false");

        Assert.True(run.ExitCode == 0, run.Output);
        Assert.DoesNotContain("A node pulled", run.Output);
        Assert.DoesNotContain(pipeline.Server.Requests, request => request.Path.EndsWith("/pods", StringComparison.Ordinal) && request.Method == "POST");
    }

    [Fact]
    public async Task Trust_ca_on_nodes_with_another_tls_mode_is_refused_before_any_write()
    {
        var run = await Deploy("--trust-ca-on-nodes=true", "--tls=existing-secret");

        Assert.Equal(2, run.ExitCode);
        Assert.Contains("trust-ca-on-nodes", run.Output);
        Assert.Contains("needs tls=selfsigned (tls is existing-secret)", run.Output);
        Assert.Empty(pipeline.Server.ClusterWrites);
    }

    [Fact]
    public async Task Nodes_whose_runtime_does_not_read_containerds_certs_d_are_refused_before_any_write()
    {
        SeededState.Node(pipeline.Server, "worker-1", null);
        pipeline.Server.Store.Mutate(ResourceCatalogue.OfKind("v1", "Node"), null, "worker-1", node =>
            node["status"] = new JsonObject { ["nodeInfo"] = new JsonObject { ["containerRuntimeVersion"] = "docker://27.3.1" } });

        var run = await Deploy("--trust-ca-on-nodes=true");

        Assert.Equal(2, run.ExitCode);
        Assert.Contains("trust-ca-on-nodes", run.Output);
        Assert.Contains("worker-1 runs docker://27.3.1", run.Output);
        Assert.Contains($"/etc/docker/certs.d/{Host}/ca.crt", run.Output);
        Assert.Empty(pipeline.Server.ClusterWrites);
    }

    [Fact]
    public async Task The_daemonsets_script_under_busybox_copies_both_files_keeps_them_current_and_on_term_takes_back_only_its_own()
    {
        var template = await File.ReadAllTextAsync(global::Registry.Build.Workspace.SourceTree.Root.Combine("k8s").CombineWithFilePath("node-trust-daemonset.yaml").FullPath);
        var container = YamlToJson.Documents(template).Single()["spec"]!["template"]!["spec"]!["containers"]![0]!;
        var trust = Directory.CreateDirectory(Path.Combine(directory.Path, "trust")).FullName;
        var node = Directory.CreateDirectory(Path.Combine(directory.Path, "node")).FullName;
        // The pod's mounts, moved to folders of the test's.
        var script = container["command"]![2]!.GetValue<string>().Replace("/trust", trust).Replace("/host/registry", node).Replace("sleep 60", "sleep 0.2");
        var probe = container["readinessProbe"]!["exec"]!["command"]![2]!.GetValue<string>().Replace("/trust", trust).Replace("/host/registry", node);
        await File.WriteAllTextAsync(Path.Combine(trust, "hosts.toml"), "server = \"https://registry.example.com\"\n");
        await File.WriteAllTextAsync(Path.Combine(trust, "ca.crt"), "first CA\n");
        await File.WriteAllTextAsync(Path.Combine(node, "client.cert"), "the node's own\n");
        using var shell = System.Diagnostics.Process.Start(new System.Diagnostics.ProcessStartInfo("busybox", ["sh", "-c", script]))!;

        await WaitUntil(() => File.Exists(Path.Combine(node, "ca.crt")));
        var ready = await Command.Run("busybox", ["sh", "-c", probe], directory.Path);
        await File.WriteAllTextAsync(Path.Combine(trust, "ca.crt"), "renewed CA\n");
        await WaitUntil(() => File.ReadAllText(Path.Combine(node, "ca.crt")) == "renewed CA\n");
        var renewed = File.ReadAllText(Path.Combine(node, "ca.crt"));
        await Command.Run("kill", ["-TERM", shell.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)], directory.Path);
        await shell.WaitForExitAsync(new CancellationTokenSource(TimeSpan.FromSeconds(10)).Token);

        Assert.Equal(0, ready.ExitCode);
        Assert.Equal("renewed CA\n", renewed);
        Assert.Equal(0, shell.ExitCode);
        Assert.Equal(["client.cert"], Directory.GetFiles(node).Select(Path.GetFileName));
    }

    private Task<HostRun> Deploy(params string[] args) => pipeline.RunAsync(
        [$"--host={Host}", $"--registry-url={registry.Address}", .. args],
        new Dictionary<string, string> { ["REGISTRY_PASSWORD"] = Password });

    private static async Task WaitUntil(Func<bool> condition)
    {
        for (var attempt = 0; attempt < 100 && !condition(); attempt++)
        {
            await Task.Delay(50);
        }
    }
}
