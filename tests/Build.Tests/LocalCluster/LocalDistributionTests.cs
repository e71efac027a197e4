using Registry.Build.Inventory;
using Registry.Build.LocalCluster;
using Registry.Build.Settings;
using Registry.Build.Tests.Fixtures;
using Registry.Build.Tests.Fixtures.Kubernetes;

namespace Registry.Build.Tests.LocalCluster;

/// <summary>Each local distribution's fingerprint (context, nodes, what is installed), and what the pipeline chooses there.</summary>
public sealed class LocalDistributionTests : IAsyncLifetime
{
    private PipelineOnCluster pipeline = null!;

    public async Task InitializeAsync() => pipeline = await PipelineOnCluster.ReadyForDeployAsync();

    public async Task DisposeAsync() => await pipeline.DisposeAsync();

    [Theory]
    [InlineData("kind-registry", "registry-control-plane", "kind://docker/registry/registry-control-plane", "{}", "kind")]
    [InlineData("k3d-dev", "k3d-dev-server-0", "k3s://k3d-dev-server-0", """{"node.kubernetes.io/instance-type": "k3s"}""", "k3d")]
    [InlineData("default", "lima-rancher-desktop", "k3s://lima-rancher-desktop", """{"node.kubernetes.io/instance-type": "k3s"}""", "k3s")]
    [InlineData("rancher-desktop", "lima-rancher-desktop", "k3s://lima-rancher-desktop", "{}", "Rancher Desktop")]
    [InlineData("dev", "minikube", null, """{"minikube.k8s.io/name": "minikube", "minikube.k8s.io/version": "v1.37.0"}""", "minikube")]
    [InlineData("docker-desktop", "docker-desktop", null, "{}", "Docker Desktop")]
    [InlineData("orbstack", "orbstack", null, "{}", "OrbStack")]
    [InlineData("ci", "registry-control-plane", "kind://docker/registry/registry-control-plane", "{}", "kind")]
    [InlineData("laptop", "docker-desktop", null, "{}", "Docker Desktop")]
    [InlineData("laptop", "orbstack", null, "{}", "OrbStack")]
    public async Task Each_distribution_is_told_by_its_fingerprint(string context, string node, string? providerId, string labels, string expected)
    {
        SeededState.Node(pipeline.Server, node, providerId, labels);
        var api = (await pipeline.Cluster.ConnectAsync()).Api;

        var detected = await LocalDistribution.DetectAsync(api, context, "nginx", CancellationToken.None);

        Assert.Equal(expected, detected?.Name);
    }

    [Fact]
    public async Task A_cloud_cluster_is_no_local_distribution()
    {
        SeededState.Node(pipeline.Server, "ip-10-0-1-23.ec2.internal", "aws:///eu-west-1a/i-0abc", """{"node.kubernetes.io/instance-type": "m7g.large"}""");
        var api = (await pipeline.Cluster.ConnectAsync()).Api;

        Assert.Null(await LocalDistribution.DetectAsync(api, "arn:aws:eks:eu-west-1:123:cluster/prod", "nginx", CancellationToken.None));
    }

    [Fact]
    public async Task On_k3d_the_registry_uses_the_traefik_that_is_there_and_installs_no_second_controller()
    {
        pipeline.Server.Store.Delete(ResourceCatalogue.OfKind("networking.k8s.io/v1", "IngressClass"), null, "nginx", dryRun: false);
        SeededState.Node(pipeline.Server, "k3d-dev-server-0", "k3s://k3d-dev-server-0", """{"node.kubernetes.io/instance-type": "k3s"}""");
        SeededState.K3sTraefik(pipeline.Server);
        var kubeconfig = pipeline.Server.WriteKubeconfig(pipeline.Cluster.Directory, context: "k3d-dev");

        var run = await pipeline.RunAsync(["--smoke-test=false", $"--kubeconfig={kubeconfig}"], new Dictionary<string, string> { ["REGISTRY_PASSWORD"] = "K3d-Passw0rd" });

        Assert.True(run.ExitCode == 0, run.Output);
        Assert.Contains("Detected k3d: k3d ships Traefik, which holds ports 80 and 443; using ingress-class traefik and ingress-controller existing (set them to choose otherwise).", run.Output);
        Assert.Contains("Skipped: IngressClass traefik exists and its controller kube-system/traefik is available", run.ReportRow("IngressController"));
        Assert.Empty(pipeline.HelmInvocations);
        var ingress = pipeline.Server.Store.Get(ResourceCatalogue.OfKind("networking.k8s.io/v1", "Ingress"), "docker-registry", "docker-registry")!;
        Assert.Equal("traefik", ingress["spec"]!["ingressClassName"]!.GetValue<string>());
        Assert.Equal("localhost", ingress["spec"]!["rules"]![0]!["host"]!.GetValue<string>());
    }

    [Fact]
    public async Task A_class_the_cluster_already_serves_is_kept_on_k3d()
    {
        SeededState.Node(pipeline.Server, "k3d-dev-server-0", "k3s://k3d-dev-server-0");
        SeededState.K3sTraefik(pipeline.Server);
        var kubeconfig = pipeline.Server.WriteKubeconfig(pipeline.Cluster.Directory, context: "k3d-dev");

        // The cluster has class nginx already (an earlier run installed it): the registry stays on it.
        var kept = await pipeline.RunAsync(["--smoke-test=false", $"--kubeconfig={kubeconfig}"], new Dictionary<string, string> { ["REGISTRY_PASSWORD"] = "K3d-Passw0rd" });

        Assert.True(kept.ExitCode == 0, kept.Output);
        Assert.Contains("Detected k3d: it gives LoadBalancer Services an address; using ingress-class nginx and ingress-controller nginx.", kept.Output);
        var ingress = pipeline.Server.Store.Get(ResourceCatalogue.OfKind("networking.k8s.io/v1", "Ingress"), "docker-registry", "docker-registry")!;
        Assert.Equal("nginx", ingress["spec"]!["ingressClassName"]!.GetValue<string>());
    }

    [Fact]
    public async Task On_a_k3d_cluster_made_a_moment_ago_the_registry_waits_for_its_traefik_instead_of_installing_another()
    {
        pipeline.Server.Store.Delete(ResourceCatalogue.OfKind("networking.k8s.io/v1", "IngressClass"), null, "nginx", dryRun: false);
        SeededState.Node(pipeline.Server, "k3d-dev-server-0", "k3s://k3d-dev-server-0");
        pipeline.Server.Store.Seed(System.Text.Json.Nodes.JsonNode.Parse("""{"apiVersion": "helm.cattle.io/v1", "kind": "HelmChart", "metadata": {"name": "traefik", "namespace": "kube-system"}, "spec": {"chart": "https://%{KUBERNETES_API}%/static/charts/traefik.tgz"}}""")!.AsObject());
        var kubeconfig = pipeline.Server.WriteKubeconfig(pipeline.Cluster.Directory, context: "k3d-dev");
        // k3s's HelmChart for Traefik is there; its IngressClass and Deployment arrive a little later.
        _ = Task.Run(async () =>
        {
            await Task.Delay(TimeSpan.FromSeconds(3));
            SeededState.K3sTraefik(pipeline.Server);
        });
        pipeline.Server.Behaviour.RolloutDelay = TimeSpan.FromMilliseconds(100);

        var run = await pipeline.RunAsync(["--target=IngressController", $"--kubeconfig={kubeconfig}"], []);

        Assert.True(run.ExitCode == 0, run.Output);
        Assert.Contains("Detected k3d: k3d ships Traefik, which holds ports 80 and 443; using ingress-class traefik", run.Output);
        Assert.Contains("Waiting for the controller: there is no IngressClass traefik", run.Output);
        Assert.Empty(pipeline.HelmInvocations);
    }

    [Fact]
    public async Task On_minikube_the_registry_is_served_on_the_nodes_ip_with_it_in_the_certificate_by_a_controller_whose_default_certificate_is_the_registrys()
    {
        var kubeconfig = FreshMinikube();
        RecordingMinikube();
        string[] deploy = ["--smoke-test=false", $"--kubeconfig={kubeconfig}"];
        var password = new Dictionary<string, string> { ["REGISTRY_PASSWORD"] = "Minikube-Passw0rd" };

        var first = await pipeline.RunAsync(deploy, password);
        pipeline.Server.ForgetRequests();
        var second = await pipeline.RunAsync(deploy, password);
        // A step run alone serves the same host.
        var exclusive = await pipeline.RunAsync(["--target=Ingress", "--exclusive", $"--kubeconfig={kubeconfig}"], password);
        var writes = pipeline.Server.ClusterWrites;

        Assert.True(first.ExitCode == 0, first.Output);
        Assert.Contains("Skipped: host 192.168.49.2 is an IP address: there is no name to resolve", first.ReportRow("Dns"));
        Assert.True(first.Output.Contains("Detected minikube: it has no load balancer, its ingress addon is ingress-nginx, and only ingress-nginx serves the registry's certificate on the node's IP; using ingress-class nginx, ingress-controller nginx, host 192.168.49.2, the node's address, as localhost does not reach minikube's ingress (set them to choose otherwise)."), first.Output);
        var certificate = pipeline.Server.Store.Get(ResourceCatalogue.OfKind("cert-manager.io/v1", "Certificate"), "docker-registry", "docker-registry-tls-certificate")!;
        Assert.Equal("""["192.168.49.2"]""", certificate["spec"]!["ipAddresses"]!.ToJsonString());
        Assert.Null(certificate["spec"]!["dnsNames"]);
        var ingress = pipeline.Server.Store.Get(ResourceCatalogue.OfKind("networking.k8s.io/v1", "Ingress"), "docker-registry", "docker-registry")!;
        Assert.Null(ingress["spec"]!["rules"]![0]!["host"]);
        Assert.Equal("""[{"secretName":"docker-registry-tls-certificate"}]""", ingress["spec"]!["tls"]!.ToJsonString());
        // Not the addon, which would answer a client that names no server with a certificate of its own.
        Assert.DoesNotContain(pipeline.HelmInvocations, call => call.StartsWith("minikube", StringComparison.Ordinal));
        var install = Assert.Single(pipeline.HelmInvocations, call => call.StartsWith("upgrade", StringComparison.Ordinal));
        Assert.Contains("--set controller.extraArgs.default-ssl-certificate=docker-registry/docker-registry-tls-certificate", install);
        Assert.Contains("--set controller.hostPort.enabled=true", install);
        Assert.Equal("host: \"192.168.49.2\"\nhostFromContainerRuntime: \"192.168.49.2\"\nhostFromClusterNetwork: \"docker-registry.docker-registry.svc:5000\"\n", LocalRegistryHosting()!["data"]!["localRegistryHosting.v1"]!.GetValue<string>());
        Assert.Contains("/etc/docker/certs.d/192.168.49.2/ca.crt", first.Output);
        Assert.True(second.ExitCode == 0, second.Output);
        Assert.True(exclusive.ExitCode == 0, exclusive.Output);
        Assert.Empty(writes);
    }

    [Fact]
    public async Task On_minikube_a_registry_served_as_localhost_by_an_earlier_run_stays_there()
    {
        SeededState.Node(pipeline.Server, "minikube", null, """{"minikube.k8s.io/name": "minikube"}""", internalIp: "192.168.49.2");
        var kubeconfig = pipeline.Server.WriteKubeconfig(pipeline.Cluster.Directory, context: "minikube");
        var password = new Dictionary<string, string> { ["REGISTRY_PASSWORD"] = "Minikube-Passw0rd" };
        // What an earlier version chose there by default (minikube tunnel brings the addon to 127.0.0.1).
        var earlier = await pipeline.RunAsync(["--smoke-test=false", "--host=localhost", $"--kubeconfig={kubeconfig}"], password);
        pipeline.Server.ForgetRequests();

        var run = await pipeline.RunAsync(["--smoke-test=false", $"--kubeconfig={kubeconfig}"], password);

        Assert.True(earlier.ExitCode == 0, earlier.Output);
        Assert.True(run.ExitCode == 0, run.Output);
        Assert.Contains("The registry is served as localhost already, so that host is kept; set --host=192.168.49.2 to serve it on minikube's node address instead.", run.Output);
        Assert.Empty(pipeline.Server.ClusterWrites);
    }

    [Fact]
    public async Task On_minikube_the_pipelines_own_controller_is_upgraded_to_answer_an_ip_host_with_the_registrys_certificate()
    {
        var kubeconfig = FreshMinikube();
        var password = new Dictionary<string, string> { ["REGISTRY_PASSWORD"] = "Minikube-Passw0rd" };
        // Installed by the pipeline for a host name (no minikube command here, so the chart, not the addon).
        var named = await pipeline.RunAsync(["--smoke-test=false", "--host=registry.minikube.test", $"--kubeconfig={kubeconfig}"], password);

        var address = await pipeline.RunAsync(["--smoke-test=false", "--host=192.168.49.2", $"--kubeconfig={kubeconfig}"], password);

        Assert.True(named.ExitCode == 0, named.Output);
        Assert.True(address.ExitCode == 0, address.Output);
        var upgrades = pipeline.HelmInvocations.Where(call => call.StartsWith("upgrade --install ingress-nginx ", StringComparison.Ordinal)).ToList();
        Assert.Equal(2, upgrades.Count);
        Assert.DoesNotContain("default-ssl-certificate", upgrades[0]);
        Assert.Contains("--set controller.extraArgs.default-ssl-certificate=docker-registry/docker-registry-tls-certificate", upgrades[1]);
    }

    [Fact]
    public async Task On_minikube_a_host_that_is_given_is_kept()
    {
        SeededState.Node(pipeline.Server, "minikube", null, """{"minikube.k8s.io/name": "minikube"}""", internalIp: "192.168.49.2");
        var kubeconfig = pipeline.Server.WriteKubeconfig(pipeline.Cluster.Directory, context: "minikube");

        var run = await pipeline.RunAsync(["--target=Plan", "--host=registry.minikube.test", $"--kubeconfig={kubeconfig}"], []);

        Assert.True(run.ExitCode == 0, run.Output);
        Assert.Contains("Detected minikube: it has no load balancer, its ingress addon is ingress-nginx, and only ingress-nginx serves the registry's certificate on the node's IP; using ingress-class nginx and ingress-controller nginx.", run.Output);
        Assert.DoesNotContain("192.168.49.2", run.Output);
    }

    [Fact]
    public async Task On_minikube_an_ingress_addon_that_answers_with_its_own_certificate_is_a_clear_error_saying_how_to_change_that()
    {
        // The addon enabled by the user: ingress-nginx as minikube deploys it, without a default certificate of ours.
        SeededState.Node(pipeline.Server, "minikube", null, """{"minikube.k8s.io/name": "minikube"}""", internalIp: "192.168.49.2");
        var kubeconfig = pipeline.Server.WriteKubeconfig(pipeline.Cluster.Directory, context: "minikube");
        RecordingMinikube();

        var run = await pipeline.RunAsync(["--target=IngressController", $"--kubeconfig={kubeconfig}"], []);

        Assert.Equal(1, run.ExitCode);
        Assert.Contains(
            "host is 192.168.49.2, an IP address: clients send no server name to an IP, so the controller ingress-nginx/ingress-nginx-controller answers them with its default certificate, " +
            "which is its own, not the registry's docker-registry/docker-registry-tls-certificate. To let minikube's ingress addon do so: minikube addons configure ingress -p minikube " +
            "(enter docker-registry/docker-registry-tls-certificate), then minikube addons disable ingress -p minikube && minikube addons enable ingress -p minikube, and run again; " +
            "or give host a DNS name that resolves to 192.168.49.2.", run.Output);
        Assert.DoesNotContain(pipeline.HelmInvocations, call => !call.StartsWith("version", StringComparison.Ordinal));
    }

    // A minikube just started: no ingress controller, its node at the IP the laptop reaches it on.
    private string FreshMinikube()
    {
        pipeline.Server.Store.Delete(ResourceCatalogue.OfKind("networking.k8s.io/v1", "IngressClass"), null, "nginx", dryRun: false);
        pipeline.Server.Store.Delete(ResourceCatalogue.OfKind("apps/v1", "Deployment"), "ingress-nginx", "ingress-nginx-controller", dryRun: false);
        pipeline.Server.Store.Delete(ResourceCatalogue.OfKind("v1", "Service"), "ingress-nginx", "ingress-nginx-controller", dryRun: false);
        pipeline.Server.Store.Delete(ResourceCatalogue.OfKind("v1", "Secret"), "ingress-nginx", "sh.helm.release.v1.ingress-nginx.v1", dryRun: false);
        SeededState.Node(pipeline.Server, "minikube", null, """{"minikube.k8s.io/name": "minikube"}""", internalIp: "192.168.49.2");
        return pipeline.Server.WriteKubeconfig(pipeline.Cluster.Directory, context: "minikube");
    }

    // A minikube command that only records its arguments: the addon must not be what serves an IP host.
    private void RecordingMinikube()
    {
        var minikube = Path.Combine(pipeline.Bin, "minikube");
        File.WriteAllText(minikube, $"""
            #!/bin/sh
            echo "minikube $*" >> '{pipeline.HelmCalls}'
            """);
        File.SetUnixFileMode(minikube, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
    }

    [Fact]
    public async Task On_a_local_cluster_local_tools_are_told_where_the_registry_is_and_destroy_takes_it_back()
    {
        SeededState.Node(pipeline.Server, "registry-control-plane", "kind://docker/registry/registry-control-plane");
        var kubeconfig = pipeline.Server.WriteKubeconfig(pipeline.Cluster.Directory, context: "kind-registry");
        string[] deploy = ["--smoke-test=false", $"--kubeconfig={kubeconfig}"];
        var password = new Dictionary<string, string> { ["REGISTRY_PASSWORD"] = "Kind-Passw0rd" };

        var first = await pipeline.RunAsync(deploy, password);
        var hosting = LocalRegistryHosting();
        var parent = pipeline.Server.Store.Get(ResourceCatalogue.OfKind("v1", "ConfigMap"), "docker-registry", ApplySet.ParentName)!;
        pipeline.Server.ForgetRequests();
        var second = await pipeline.RunAsync(deploy, password);
        // A run that detects nothing (an exclusive Prune or Plan) must not take it for an orphan.
        var prune = await pipeline.RunAsync(["--target=Prune", "--exclusive", $"--kubeconfig={kubeconfig}"], password);
        var writes = pipeline.Server.ClusterWrites;
        var destroy = await pipeline.RunAsync(["--target=Destroy", "--confirm=true", $"--kubeconfig={kubeconfig}"], password);

        Assert.True(first.ExitCode == 0, first.Output);
        Assert.Equal("host: \"localhost\"\nhostFromContainerRuntime: \"localhost\"\nhostFromClusterNetwork: \"docker-registry.docker-registry.svc:5000\"\n", hosting!["data"]!["localRegistryHosting.v1"]!.GetValue<string>());
        Assert.NotNull(hosting["metadata"]!["labels"]![ApplySet.PartOfLabel]);
        Assert.Equal("kube-public", parent["metadata"]!["annotations"]![ApplySet.AdditionalNamespacesAnnotation]!.GetValue<string>());
        Assert.True(second.ExitCode == 0, second.Output);
        Assert.True(prune.ExitCode == 0, prune.Output);
        Assert.Empty(writes);
        Assert.True(destroy.ExitCode == 0, destroy.Output);
        Assert.Null(LocalRegistryHosting());
    }

    [Fact]
    public async Task A_local_registry_hosting_that_is_someone_elses_is_left_as_it_is()
    {
        SeededState.Node(pipeline.Server, "registry-control-plane", "kind://docker/registry/registry-control-plane");
        pipeline.Server.Store.Seed(System.Text.Json.Nodes.JsonNode.Parse("""
            {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "local-registry-hosting", "namespace": "kube-public"},
             "data": {"localRegistryHosting.v1": "host: \"localhost:5001\"\n"}}
            """)!.AsObject());
        var kubeconfig = pipeline.Server.WriteKubeconfig(pipeline.Cluster.Directory, context: "kind-registry");

        var run = await pipeline.RunAsync(["--smoke-test=false", $"--kubeconfig={kubeconfig}"], new Dictionary<string, string> { ["REGISTRY_PASSWORD"] = "Kind-Passw0rd" });

        Assert.True(run.ExitCode == 0, run.Output);
        Assert.Equal("host: \"localhost:5001\"\n", LocalRegistryHosting()!["data"]!["localRegistryHosting.v1"]!.GetValue<string>());
        Assert.Contains("kube-public/local-registry-hosting is there and not this pipeline's", run.Output);
    }

    [Fact]
    public async Task A_registry_served_on_its_own_name_on_k3s_is_not_announced_as_a_local_one()
    {
        SeededState.Node(pipeline.Server, "edge-1", "k3s://edge-1", """{"node.kubernetes.io/instance-type": "k3s"}""");

        var run = await pipeline.RunAsync(["--smoke-test=false", "--host=registry.example.com"], new Dictionary<string, string> { ["REGISTRY_PASSWORD"] = "Edge-Passw0rd" });

        Assert.True(run.ExitCode == 0, run.Output);
        Assert.Contains("Detected k3s", run.Output);
        Assert.Null(LocalRegistryHosting());
    }

    [Fact]
    public async Task Destroy_after_the_namespace_was_deleted_by_hand_still_removes_what_the_pipeline_wrote_in_kube_public()
    {
        SeededState.Node(pipeline.Server, "registry-control-plane", "kind://docker/registry/registry-control-plane");
        var kubeconfig = pipeline.Server.WriteKubeconfig(pipeline.Cluster.Directory, context: "kind-registry");
        var password = new Dictionary<string, string> { ["REGISTRY_PASSWORD"] = "Kind-Passw0rd" };
        await pipeline.RunAsync(["--smoke-test=false", $"--kubeconfig={kubeconfig}"], password);
        pipeline.Server.Store.Delete(ResourceCatalogue.OfKind("v1", "Namespace"), null, "docker-registry", dryRun: false);

        var destroy = await pipeline.RunAsync(["--target=Destroy", "--confirm=true", $"--kubeconfig={kubeconfig}"], password);

        Assert.True(destroy.ExitCode == 0, destroy.Output);
        Assert.Contains("ConfigMap kube-public/local-registry-hosting: deleted.", destroy.Output);
        Assert.Null(LocalRegistryHosting());
    }

    [Fact]
    public async Task A_cluster_that_is_not_local_gets_no_local_registry_hosting()
    {
        var run = await pipeline.RunAsync(["--smoke-test=false", "--host=registry.example.com"], new Dictionary<string, string> { ["REGISTRY_PASSWORD"] = "Cloud-Passw0rd" });

        Assert.True(run.ExitCode == 0, run.Output);
        Assert.Null(LocalRegistryHosting());
    }

    private System.Text.Json.Nodes.JsonObject? LocalRegistryHosting() =>
        pipeline.Server.Store.Get(ResourceCatalogue.OfKind("v1", "ConfigMap"), "kube-public", "local-registry-hosting");

    [Fact]
    public async Task Render_shows_the_class_a_deploy_on_k3d_would_use()
    {
        pipeline.Server.Store.Delete(ResourceCatalogue.OfKind("networking.k8s.io/v1", "IngressClass"), null, "nginx", dryRun: false);
        SeededState.Node(pipeline.Server, "k3d-dev-server-0", "k3s://k3d-dev-server-0");
        SeededState.K3sTraefik(pipeline.Server);
        var kubeconfig = pipeline.Server.WriteKubeconfig(pipeline.Cluster.Directory, context: "k3d-dev");

        var run = await pipeline.RunAsync(["--target=Render", $"--kubeconfig={kubeconfig}"], new Dictionary<string, string> { ["REGISTRY_PASSWORD"] = "K3d-Passw0rd" });

        Assert.True(run.ExitCode == 0, run.Output);
        var ingress = File.ReadAllText(Directory.GetFiles(Path.Combine(pipeline.Artifacts, "manifests"), "*-ingress-docker-registry.yaml").Single());
        Assert.Contains("ingressClassName: traefik", ingress);
        Assert.Contains("host: localhost", ingress);
        Assert.Empty(pipeline.Server.MutatingRequests);
    }
}
