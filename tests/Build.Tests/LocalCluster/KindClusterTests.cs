using Registry.Build.LocalCluster;
using Registry.Build.Manifests;
using Registry.Build.Tests.Fixtures;
using Registry.Build.Tests.Fixtures.Kubernetes;

namespace Registry.Build.Tests.LocalCluster;

/// <summary>create-cluster=kind, through a recording kind and docker on PATH that stand in for the real ones.</summary>
public sealed class KindClusterTests : IAsyncLifetime
{
    private PipelineOnCluster pipeline = null!;
    private string calls = null!;
    private string kubeconfig = null!;

    public async Task InitializeAsync()
    {
        pipeline = await PipelineOnCluster.ReadyForDeployAsync();
        calls = Path.Combine(pipeline.Cluster.Directory, "kind-calls.txt");
        // What kind writes once the cluster is up: a context kind-registry, here pointing at the emulated API server.
        var made = pipeline.Server.WriteKubeconfig(pipeline.Cluster.Directory, context: KindCluster.Context);
        kubeconfig = Path.Combine(pipeline.Cluster.Directory, "kubeconfig-written-by-kind");
        WriteTool("kind", $$"""
            #!/bin/sh
            echo "$*" >> '{{calls}}'
            case "$1" in
              version) echo "kind v0.32.0 go1.25.1 linux/amd64" ;;
              get) cat '{{pipeline.Cluster.Directory}}/clusters' 2>/dev/null || echo "No kind clusters found." >&2 ;;
              export) cp '{{made}}' "$6" ;;
              create)
                while [ $# -gt 0 ]; do
                  case "$1" in
                    --config) cp "$2" '{{pipeline.Cluster.Directory}}/config-given-to-kind.yaml' ;;
                    --kubeconfig) cp '{{made}}' "$2" ;;
                  esac
                  shift
                done
                echo registry >> '{{pipeline.Cluster.Directory}}/clusters' ;;
            esac
            """);
        WriteTool("docker", "#!/bin/sh\n[ \"$1\" = info ] && exit 0\nexit 0\n");
    }

    public async Task DisposeAsync() => await pipeline.DisposeAsync();

    [Fact]
    public async Task A_kind_cluster_is_created_with_its_ports_published_then_deployed_to_and_a_second_run_creates_nothing()
    {
        var first = await Run();
        var second = await Run();

        Assert.True(first.ExitCode == 0, first.Output);
        var created = Assert.Single(File.ReadAllLines(calls), call => call.StartsWith("create", StringComparison.Ordinal));
        Assert.Equal($"create cluster --name registry --config {KindCluster.Config.FullPath} --wait 300s --kubeconfig {kubeconfig}", created);
        var config = YamlToJson.Documents(File.ReadAllText(Path.Combine(pipeline.Cluster.Directory, "config-given-to-kind.yaml")))[0];
        var ports = config["nodes"]![0]!["extraPortMappings"]!.AsArray().Select(port => (port!["containerPort"]!.GetValue<long>(), port["hostPort"]!.GetValue<long>()));
        Assert.Equal([(80L, 80L), (443L, 443L)], ports);
        Assert.Contains("Creating the kind cluster registry", first.Output);
        Assert.Contains("host                   localhost", first.Output);
        Assert.NotNull(pipeline.Server.Store.Get(ResourceCatalogue.OfKind("apps/v1", "Deployment"), "docker-registry", "docker-registry"));
        Assert.True(second.ExitCode == 0, second.Output);
        Assert.Contains("The kind cluster registry is there already; deploying to it (context kind-registry).", second.Output);
        Assert.Single(File.ReadAllLines(calls), call => call.StartsWith("create", StringComparison.Ordinal));
        Assert.DoesNotContain(File.ReadAllLines(calls), call => call.StartsWith("export", StringComparison.Ordinal));
    }

    [Fact]
    public async Task An_existing_cluster_whose_context_the_kubeconfig_lost_gets_it_back()
    {
        File.AppendAllText(Path.Combine(pipeline.Cluster.Directory, "clusters"), "registry\n");

        var run = await Run();

        Assert.True(run.ExitCode == 0, run.Output);
        Assert.Contains($"export kubeconfig --name registry --kubeconfig {kubeconfig}", File.ReadAllLines(calls));
        Assert.DoesNotContain(File.ReadAllLines(calls), call => call.StartsWith("create", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Plan_status_and_destroy_never_create_a_cluster()
    {
        foreach (var target in new[] { "Plan", "Status", "Destroy" })
        {
            var run = await pipeline.RunAsync(
                ["--create-cluster=kind", $"--kubeconfig={kubeconfig}", $"--target={target}", "--confirm=true"],
                new Dictionary<string, string> { ["REGISTRY_PASSWORD"] = "Kind-Passw0rd" });

            Assert.Equal(2, run.ExitCode);
            Assert.Contains($"create-cluster: is kind, but only a Deploy creates the cluster and there is none yet for {target}", run.Output);
        }

        Assert.False(File.Exists(calls) && File.ReadAllLines(calls).Any(call => call.StartsWith("create", StringComparison.Ordinal)));
    }

    [Fact]
    public async Task Without_kind_or_without_a_running_docker_the_run_says_which_is_missing_before_any_request()
    {
        File.Delete(Path.Combine(pipeline.Bin, "kind"));
        var noKind = await Run();
        WriteTool("kind", "#!/bin/sh\necho \"kind v0.32.0 go1.25.1 linux/amd64\"\n");
        WriteTool("docker", "#!/bin/sh\necho 'Cannot connect to the Docker daemon' >&2\nexit 1\n");
        var noDocker = await Run();

        Assert.Equal(1, noKind.ExitCode);
        Assert.Contains("create-cluster is kind, but kind is not on PATH.", noKind.Output);
        Assert.Equal(1, noDocker.ExitCode);
        Assert.Contains("create-cluster is kind, but the Docker engine does not answer (docker info failed): start Docker", noDocker.Output);
        Assert.Empty(pipeline.Server.Requests);
    }

    [Fact]
    public async Task A_kind_too_old_for_containerds_certs_d_is_refused_and_the_config_leaves_containerd_to_kind()
    {
        WriteTool("kind", "#!/bin/sh\necho \"kind v0.26.0 go1.23.4 linux/amd64\"\n");

        var run = await Run();

        Assert.Equal(1, run.ExitCode);
        Assert.Contains("kind 0.26.0 is older than 0.27.0, whose nodes are the first to read /etc/containerd/certs.d", run.Output);
        // kind's own nodes set containerd's config_path; a patch of it would be stale (kind asks users to remove it).
        Assert.Null(YamlToJson.Documents(File.ReadAllText(KindCluster.Config.FullPath))[0]["containerdConfigPatches"]);
    }

    private Task<HostRun> Run() => pipeline.RunAsync(
        ["--create-cluster=kind", $"--kubeconfig={kubeconfig}", "--smoke-test=false"],
        new Dictionary<string, string> { ["REGISTRY_PASSWORD"] = "Kind-Passw0rd" });

    private void WriteTool(string name, string script)
    {
        var path = Path.Combine(pipeline.Bin, name);
        File.WriteAllText(path, script.Replace("\r\n", "\n"));
        File.SetUnixFileMode(path, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
    }
}
