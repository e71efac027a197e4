using System.Text;
using System.Text.Json.Nodes;
using Registry.Build.Tests.Fixtures;
using Registry.Build.Tests.Fixtures.Kubernetes;

namespace Registry.Build.Tests.Tasks;

/// <summary>
/// tls=letsencrypt with exposure=gateway: the ACME http01 challenge comes in through the registry's Gateway, which
/// therefore is open before the certificate is requested, and cert-manager answers it with its Gateway API support.
/// </summary>
public sealed class CertificateThroughGatewayTests : IAsyncLifetime
{
    private const string Ns = "docker-registry";
    private const string Host = "registry.example.com";
    private static readonly ResourceType Gateway = ResourceCatalogue.OfKind("gateway.networking.k8s.io/v1", "Gateway");
    private static readonly ResourceType HttpRoute = ResourceCatalogue.OfKind("gateway.networking.k8s.io/v1", "HTTPRoute");
    private static readonly ResourceType Certificate = ResourceCatalogue.OfKind("cert-manager.io/v1", "Certificate");
    private static readonly ResourceType Issuer = ResourceCatalogue.OfKind("cert-manager.io/v1", "Issuer");
    private static readonly ResourceType Deployment = ResourceCatalogue.OfKind("apps/v1", "Deployment");
    private static readonly ResourceType Challenge = ResourceCatalogue.OfKind("acme.cert-manager.io/v1", "Challenge");
    private PipelineOnCluster pipeline = null!;
    private FileServer downloads = null!;
    private RealRegistry backend = null!;

    public async Task InitializeAsync()
    {
        // An empty cluster: the pipeline brings the Gateway API, Envoy Gateway and cert-manager.
        pipeline = await PipelineOnCluster.StartAsync();
        downloads = await FileServer.StartAsync();
        downloads.Files["v1.6.1/standard-install.yaml"] = Encoding.UTF8.GetBytes(GatewayControllerTaskTests.StandardInstall("v1.6.1", "standard"));
        pipeline.DnsRecords[Host] = pipeline.Server.Behaviour.GatewayAddress;
        // The registry's Service reaches a real registry, as a rolled-out one would.
        backend = await RealRegistry.AskingForLoginAsync();
        pipeline.Server.ServiceBackends["docker-registry/docker-registry:5000"] = backend.Address;
    }

    public async Task DisposeAsync()
    {
        await downloads.DisposeAsync();
        await backend.DisposeAsync();
        await pipeline.DisposeAsync();
    }

    [Fact]
    public async Task The_challenge_comes_in_on_the_gateways_http_listener_opened_before_the_certificate_and_a_second_deploy_writes_nothing()
    {
        var first = await Deploy("--exposure=gateway", "--tls=letsencrypt");
        pipeline.Server.ForgetRequests();
        var second = await Deploy("--exposure=gateway", "--tls=letsencrypt");

        Assert.True(first.ExitCode == 0, first.Output);
        var certManager = Assert.Single(pipeline.HelmInvocations, call => call.StartsWith("upgrade --install cert-manager ", StringComparison.Ordinal));
        Assert.Contains("--set config.gatewayAPI.enabled=true", certManager);
        var solver = Get(Issuer, "letsencrypt")!["spec"]!["acme"]!["solvers"]![0]!["http01"]!;
        Assert.Null(solver!["ingress"]);
        Assert.Equal("ClusterIP", solver["gatewayHTTPRoute"]!["serviceType"]!.GetValue<string>());
        Assert.Equal(
            """[{"group":"gateway.networking.k8s.io","kind":"Gateway","name":"docker-registry","namespace":"docker-registry","sectionName":"http"}]""",
            solver["gatewayHTTPRoute"]!["parentRefs"]!.ToJsonString());
        Assert.DoesNotContain("Skipped", first.ReportRow("Gateway") ?? "Skipped: no row");
        Assert.True(first.Output.IndexOf("── Gateway ", StringComparison.Ordinal) < first.Output.IndexOf("── Certificate ", StringComparison.Ordinal), first.Output);
        Assert.Equal("True", Get(Certificate, "docker-registry-tls-certificate")!["status"]!["conditions"]![0]!["status"]!.GetValue<string>());
        // The solver's route and its challenge are gone once the certificate is issued; the registry's routes stay.
        Assert.DoesNotContain(pipeline.Server.Store.Snapshot(), item => item.Type == HttpRoute && item.Name.StartsWith("cm-acme-http-solver-", StringComparison.Ordinal));
        Assert.DoesNotContain(pipeline.Server.Store.Snapshot(), item => item.Type == Challenge);
        Assert.NotNull(Get(HttpRoute, "docker-registry"));
        Assert.Contains("registry.example.com resolves to 203.0.113.20, an address of Gateway docker-registry/docker-registry, where Let's Encrypt's challenge comes in.", first.Output);
        Assert.True(second.ExitCode == 0, second.Output);
        Assert.Empty(pipeline.Server.ClusterWrites);
    }

    [Fact]
    public async Task A_host_that_does_not_resolve_to_the_gateway_stops_the_run_before_the_certificate_is_requested_with_the_record_to_create()
    {
        pipeline.DnsRecords[Host] = "198.51.100.7";

        var run = await Deploy("--exposure=gateway", "--tls=letsencrypt");
        var requested = Get(Certificate, "docker-registry-tls-certificate");
        var anyway = await Deploy("--exposure=gateway", "--tls=letsencrypt", "--require-dns=false");

        Assert.Equal(1, run.ExitCode);
        Assert.Contains("registry.example.com resolves to 198.51.100.7, not to Gateway docker-registry/docker-registry's address 203.0.113.20. Create this DNS record: registry.example.com. A 203.0.113.20", run.Output);
        Assert.Contains("or set require-dns=false to request the certificate anyway", run.Output);
        Assert.Null(requested);
        Assert.True(anyway.ExitCode == 0, anyway.Output);
        Assert.Contains("Create this DNS record: registry.example.com. A 203.0.113.20.", anyway.Output);
    }

    [Fact]
    public async Task The_pipelines_own_cert_manager_found_without_gateway_support_is_upgraded_with_it_and_restarted_before_the_challenge()
    {
        // Its configuration as an earlier release of the pipeline (or exposure=ingress) left it: no Gateway API support.
        var installed = await Deploy("--exposure=gateway", "--tls=selfsigned");
        pipeline.Server.Store.Delete(ResourceCatalogue.OfKind("v1", "ConfigMap"), "cert-manager", "cert-manager", dryRun: false);
        pipeline.Server.Store.Mutate(Deployment, "cert-manager", "cert-manager", deployment => deployment["spec"]!["template"]!["spec"]!["containers"]![0]!["args"] = new JsonArray("--v=2"));

        var run = await Deploy("--exposure=gateway", "--tls=letsencrypt");

        Assert.True(installed.ExitCode == 0, installed.Output);
        Assert.True(run.ExitCode == 0, run.Output);
        Assert.Contains("Restarted Deployment cert-manager/cert-manager: it reads its new configuration, with Gateway API support, at start only.", run.Output);
        Assert.NotNull(Get(Deployment, "cert-manager", "cert-manager")!["spec"]!["template"]!["metadata"]!["annotations"]!["kubectl.kubernetes.io/restartedAt"]);
    }

    [Fact]
    public async Task A_cert_manager_that_started_before_the_gateway_api_crds_and_crashes_is_restarted_before_helm_waits_for_it()
    {
        var installed = await Deploy("--exposure=gateway", "--tls=selfsigned");
        // Its pod restarted while the HTTPRoute CRD was briefly gone: it crashes until restarted again.
        var crd = ResourceCatalogue.OfKind("apiextensions.k8s.io/v1", "CustomResourceDefinition");
        var routes = pipeline.Server.Store.Get(crd, null, "httproutes.gateway.networking.k8s.io")!.DeepClone().AsObject();
        pipeline.Server.Store.Delete(crd, null, "httproutes.gateway.networking.k8s.io", dryRun: false);
        pipeline.Server.Store.Mutate(Deployment, "cert-manager", "cert-manager", deployment =>
        {
            deployment["spec"]!["template"]!["metadata"]!["annotations"] = new JsonObject { ["node-drain"] = "1" };
            deployment["metadata"]!["generation"] = deployment["metadata"]!["generation"]!.GetValue<long>() + 1;
        });
        await Task.Delay(500);
        foreach (var field in new[] { "uid", "resourceVersion", "creationTimestamp", "managedFields" })
        {
            routes["metadata"]!.AsObject().Remove(field);
        }

        pipeline.Server.Store.Seed(routes);

        var run = await Deploy("--exposure=gateway", "--tls=letsencrypt");

        Assert.True(installed.ExitCode == 0, installed.Output);
        Assert.True(run.ExitCode == 0, run.Output);
        Assert.Contains("Restarted Deployment cert-manager/cert-manager: it started before the Gateway API CRDs were there.", run.Output);
        Assert.Equal("True", Get(Certificate, "docker-registry-tls-certificate")!["status"]!["conditions"]![0]!["status"]!.GetValue<string>());
    }

    [Fact]
    public async Task Someone_elses_cert_manager_without_gateway_support_is_refused_before_any_write_with_how_to_turn_it_on()
    {
        SeededState.CertManager(pipeline.Server);

        var run = await Deploy("--exposure=gateway", "--tls=letsencrypt");

        Assert.Equal(2, run.ExitCode);
        Assert.Contains("tls: 'letsencrypt' (from the command line) is letsencrypt, whose http01 challenge through the Gateway needs cert-manager's Gateway API support", run.Output);
        Assert.Contains("--set config.gatewayAPI.enabled=true, then kubectl -n cert-manager rollout restart deployment cert-manager", run.Output);
        Assert.Empty(pipeline.Server.ClusterWrites);
    }

    [Fact]
    public async Task A_shared_gateway_without_an_http_listener_for_the_namespace_is_refused_with_acme_before_any_write()
    {
        SeededState.CertManager(pipeline.Server, gatewayApi: true);
        SeededState.GatewayClass(pipeline.Server);
        SeededState.SharedGateway(pipeline.Server, "infra", "shared", Host);

        var run = await Deploy("--exposure=gateway", "--tls=letsencrypt", "--gateway-namespace=infra", "--gateway-name=shared");

        Assert.Equal(2, run.ExitCode);
        Assert.Contains("no listener of the shared Gateway infra/shared takes HTTP for registry.example.com from routes in namespace docker-registry (listener https (HTTPS 443, hostname *.example.com, routes from All))", run.Output);
        Assert.Empty(pipeline.Server.ClusterWrites);
    }

    private JsonObject? Get(ResourceType type, string name) => pipeline.Server.Store.Get(type, Ns, name);

    private JsonObject? Get(ResourceType type, string ns, string name) => pipeline.Server.Store.Get(type, ns, name);

    private Task<HostRun> Deploy(params string[] args) => pipeline.RunAsync(
        [$"--host={Host}", "--smoke-test=false", "--wait-timeout=30s", "--acme-email=ops@example.com", $"--gateway-api-download-url={downloads.Address}", .. args],
        new Dictionary<string, string> { ["REGISTRY_PASSWORD"] = "Gateway-Passw0rd" });
}
