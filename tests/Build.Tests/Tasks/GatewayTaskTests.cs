using System.Text.Json.Nodes;
using Registry.Build.Tests.Fixtures;
using Registry.Build.Tests.Fixtures.Kubernetes;

namespace Registry.Build.Tests.Tasks;

/// <summary>exposure=gateway on an emulated cluster whose Gateway API controller reports as the spec says.</summary>
public sealed class GatewayTaskTests : IAsyncLifetime
{
    private const string Ns = "docker-registry";
    private const string Routes = "/apis/gateway.networking.k8s.io/v1/namespaces/docker-registry/httproutes/docker-registry";
    private const string Ingresses = "/apis/networking.k8s.io/v1/namespaces/docker-registry/ingresses/docker-registry";
    private static readonly ResourceType Gateway = ResourceCatalogue.OfKind("gateway.networking.k8s.io/v1", "Gateway");
    private static readonly ResourceType HttpRoute = ResourceCatalogue.OfKind("gateway.networking.k8s.io/v1", "HTTPRoute");
    private static readonly ResourceType Ingress = ResourceCatalogue.OfKind("networking.k8s.io/v1", "Ingress");
    private PipelineOnCluster pipeline = null!;

    public async Task InitializeAsync()
    {
        pipeline = await PipelineOnCluster.ReadyForDeployAsync();
        SeededState.GatewayClass(pipeline.Server);
        SeededState.GatewayClass(pipeline.Server, "nginx", "gateway.nginx.org/nginx-gateway-controller");
    }

    public async Task DisposeAsync() => await pipeline.DisposeAsync();

    [Fact]
    public async Task Envoy_gets_a_gateway_a_route_without_timeouts_and_its_policies_no_ingress_and_a_second_deploy_writes_nothing()
    {
        var first = await Deploy("--exposure=gateway");
        pipeline.Server.ForgetRequests();
        var second = await Deploy("--exposure=gateway");

        Assert.True(first.ExitCode == 0, first.Output);
        var gateway = Get(Gateway, "docker-registry")!;
        Assert.Equal("eg", gateway["spec"]!["gatewayClassName"]!.GetValue<string>());
        var https = gateway["spec"]!["listeners"]!.AsArray().Single(listener => listener!["name"]!.GetValue<string>() == "https")!;
        Assert.Equal(443, https["port"]!.GetValue<long>());
        Assert.Equal("registry.example.com", https["hostname"]!.GetValue<string>());
        Assert.Equal("docker-registry-tls-certificate", https["tls"]!["certificateRefs"]![0]!["name"]!.GetValue<string>());
        var route = Get(HttpRoute, "docker-registry")!;
        Assert.Equal("0s", route["spec"]!["rules"]![0]!["timeouts"]!["request"]!.GetValue<string>());
        Assert.Equal("docker-registry", route["spec"]!["rules"]![0]!["backendRefs"]![0]!["name"]!.GetValue<string>());
        Assert.Equal("0s", Get(ResourceCatalogue.OfKind("gateway.envoyproxy.io/v1alpha1", "BackendTrafficPolicy"), "docker-registry")!["spec"]!["timeout"]!["http"]!["requestTimeout"]!.GetValue<string>());
        var client = Get(ResourceCatalogue.OfKind("gateway.envoyproxy.io/v1alpha1", "ClientTrafficPolicy"), "docker-registry")!;
        Assert.Equal("0s", client["spec"]!["timeout"]!["http"]!["requestReceivedTimeout"]!.GetValue<string>());
        Assert.Equal("Gateway", client["spec"]!["targetRefs"]![0]!["kind"]!.GetValue<string>());
        var redirect = Get(HttpRoute, "docker-registry-http-redirect")!;
        Assert.Equal("http", redirect["spec"]!["parentRefs"]![0]!["sectionName"]!.GetValue<string>());
        Assert.Equal("https", redirect["spec"]!["rules"]![0]!["filters"]![0]!["requestRedirect"]!["scheme"]!.GetValue<string>());
        Assert.Null(Get(Ingress, "docker-registry"));
        Assert.Contains("https://registry.example.com/ is routed to the registry through Gateway docker-registry/docker-registry.", first.Output);
        Assert.Contains("Skipping IngressController: exposure is gateway", first.Output);
        Assert.DoesNotContain(pipeline.HelmInvocations, call => call.Contains("ingress-nginx", StringComparison.Ordinal));
        Assert.True(second.ExitCode == 0, second.Output);
        Assert.Contains("Skipping Gateway:", second.Output);
        Assert.Empty(pipeline.Server.ClusterWrites);
    }

    [Fact]
    public async Task Status_reports_whether_the_route_is_accepted()
    {
        await Deploy("--exposure=gateway");
        var healthy = await Deploy("--target=Status", "--exposure=gateway");
        pipeline.Server.Store.Delete(HttpRoute, Ns, "docker-registry", dryRun: false);
        var missing = await Deploy("--target=Status", "--exposure=gateway");

        Assert.True(healthy.ExitCode == 0, healthy.Output);
        Assert.Contains("HTTPRoute docker-registry/docker-registry: accepted by Gateway docker-registry/docker-registry", healthy.Output);
        Assert.Equal(1, missing.ExitCode);
        Assert.Contains("HTTPRoute docker-registry/docker-registry: missing", missing.Output);
    }

    [Fact]
    public async Task Nginx_gateway_fabric_gets_no_body_limit_and_streaming_proxy_settings_and_no_envoy_policies()
    {
        var run = await Deploy("--exposure=gateway", "--gateway-controller=nginx-fabric");

        Assert.True(run.ExitCode == 0, run.Output);
        Assert.Equal("nginx", Get(Gateway, "docker-registry")!["spec"]!["gatewayClassName"]!.GetValue<string>());
        var client = Get(ResourceCatalogue.OfKind("gateway.nginx.org/v1alpha1", "ClientSettingsPolicy"), "docker-registry")!;
        Assert.Equal("0", client["spec"]!["body"]!["maxSize"]!.GetValue<string>());
        Assert.Equal("HTTPRoute", client["spec"]!["targetRef"]!["kind"]!.GetValue<string>());
        var proxy = Get(ResourceCatalogue.OfKind("gateway.nginx.org/v1alpha1", "ProxySettingsPolicy"), "docker-registry")!;
        Assert.True(proxy["spec"]!["buffering"]!["disable"]!.GetValue<bool>());
        Assert.Equal("10m", proxy["spec"]!["timeout"]!["read"]!.GetValue<string>());
        Assert.Null(Get(ResourceCatalogue.OfKind("gateway.envoyproxy.io/v1alpha1", "BackendTrafficPolicy"), "docker-registry"));
    }

    [Fact]
    public async Task Switching_ingress_to_gateway_and_back_keeps_one_exposure_at_every_moment_and_touches_nothing_else()
    {
        var ingress = await Deploy();
        pipeline.DnsRecords["registry.example.com"] = pipeline.Server.Behaviour.GatewayAddress;
        pipeline.Server.ForgetRequests();
        var toGateway = await Deploy("--exposure=gateway");
        var toGatewayWrites = Writes();
        pipeline.Server.ForgetRequests();
        var back = await Deploy();
        var backWrites = Writes();

        Assert.True(ingress.ExitCode == 0, ingress.Output);
        Assert.True(toGateway.ExitCode == 0, toGateway.Output);
        Assert.True(back.ExitCode == 0, back.Output);
        // The route is written, and accepted (the step waits for it), before the Ingress goes.
        Assert.InRange(toGatewayWrites.IndexOf($"PATCH {Routes}"), 0, toGatewayWrites.IndexOf($"DELETE {Ingresses}") - 1);
        Assert.InRange(backWrites.IndexOf($"PATCH {Ingresses}"), 0, backWrites.IndexOf($"DELETE {Routes}") - 1);
        Assert.All(toGatewayWrites.Concat(backWrites), write => Assert.Matches(
            "(gateways|httproutes|backendtrafficpolicies|clienttrafficpolicies|ingresses)/docker-registry(-http-redirect)?$|configmaps/registry-pipeline-applyset$", write));
        Assert.NotNull(Get(Ingress, "docker-registry"));
        Assert.Null(Get(Gateway, "docker-registry"));
        Assert.Null(Get(HttpRoute, "docker-registry"));
    }

    [Fact]
    public async Task A_switch_while_the_host_still_resolves_to_the_ingress_stops_before_prune_and_keeps_the_ingress()
    {
        await Deploy();

        var run = await Deploy("--exposure=gateway");

        Assert.Equal(1, run.ExitCode);
        Assert.Contains("registry.example.com resolves to 203.0.113.10, but Gateway docker-registry/docker-registry listens on 203.0.113.20: point the DNS record of registry.example.com at 203.0.113.20, then run again.", run.Output);
        Assert.NotNull(Get(Ingress, "docker-registry"));
        Assert.NotNull(Get(HttpRoute, "docker-registry"));
    }

    [Fact]
    public async Task Plan_of_a_switch_shows_both_sides_the_new_route_and_the_ingress_that_goes()
    {
        await Deploy();
        pipeline.Server.ForgetRequests();

        var plan = await Deploy("--target=Plan", "--exposure=gateway");

        Assert.Contains("create    Gateway docker-registry/docker-registry", plan.Output);
        Assert.Contains("create    HTTPRoute docker-registry/docker-registry", plan.Output);
        Assert.Matches(@"delete\s+Ingress docker-registry/docker-registry", plan.Output);
        Assert.Empty(pipeline.Server.ClusterWrites);
    }

    [Fact]
    public async Task On_a_shared_gateway_only_the_route_is_added_and_the_gateway_is_not_touched()
    {
        SeededState.SharedGateway(pipeline.Server, "infra", "shared", "registry.example.com");

        var run = await Deploy("--exposure=gateway", "--gateway-namespace=infra", "--gateway-name=shared");

        Assert.True(run.ExitCode == 0, run.Output);
        Assert.Null(Get(Gateway, "docker-registry"));
        var parent = Get(HttpRoute, "docker-registry")!["spec"]!["parentRefs"]![0]!;
        Assert.Equal("infra", parent["namespace"]!.GetValue<string>());
        Assert.Equal("shared", parent["name"]!.GetValue<string>());
        Assert.Null(Get(ResourceCatalogue.OfKind("gateway.envoyproxy.io/v1alpha1", "ClientTrafficPolicy"), "docker-registry"));
        Assert.DoesNotContain(pipeline.Server.ClusterWrites, write => write.Path.Contains("/namespaces/infra/", StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_shared_gateway_none_of_whose_listeners_admits_the_namespace_is_refused_before_any_write_naming_them()
    {
        SeededState.SharedGateway(pipeline.Server, "infra", "shared", "registry.example.com", from: "Same");

        var run = await Deploy("--exposure=gateway", "--gateway-namespace=infra", "--gateway-name=shared");

        Assert.Equal(2, run.ExitCode);
        Assert.Contains("names the shared Gateway infra/shared, none of whose listeners admits a route for registry.example.com from namespace docker-registry " +
            "(listener https (HTTPS 443, hostname *.example.com, routes from Same))", run.Output);
        Assert.Empty(pipeline.Server.ClusterWrites);
    }

    [Fact]
    public async Task A_shared_gateway_whose_listener_selector_does_not_match_the_namespace_fails_with_its_verdict()
    {
        SeededState.SharedGateway(pipeline.Server, "infra", "shared", "registry.example.com", from: "Selector");

        var run = await Deploy("--exposure=gateway", "--gateway-namespace=infra", "--gateway-name=shared");

        Assert.Equal(1, run.ExitCode);
        Assert.Contains("Accepted=False (NotAllowedByListeners): No listener of Gateway infra/shared allows routes from namespace docker-registry", run.Output);
        Assert.Contains("must admit routes from namespace docker-registry (spec.listeners[].allowedRoutes.namespaces)", run.Output);
        Assert.Contains("HTTPRoute docker-registry: Accepted=False (NotAllowedByListeners)", await File.ReadAllTextAsync(Path.Combine(pipeline.Artifacts, "diagnostics", "gateway.txt")));
        Assert.DoesNotContain(pipeline.Server.ClusterWrites, write => write.Path.Contains("/namespaces/infra/", StringComparison.Ordinal));
    }

    [Fact]
    public async Task An_existing_controllers_missing_gateway_class_stops_the_run_before_any_write()
    {
        var run = await Deploy("--exposure=gateway", "--gateway-controller=existing", "--gateway-class=corporate");

        Assert.Equal(2, run.ExitCode);
        Assert.Contains("gateway-class: 'corporate' (from the command line) names GatewayClass corporate, which the cluster does not have", run.Output);
        Assert.Empty(pipeline.Server.ClusterWrites);
    }

    [Fact]
    public async Task Existing_without_a_gateway_class_is_a_settings_error()
    {
        var run = await Deploy("--exposure=gateway", "--gateway-controller=existing");

        Assert.Equal(2, run.ExitCode);
        Assert.Contains("gateway-class: is required with gateway-controller=existing", run.Output);
    }

    [Fact]
    public async Task A_gateway_class_of_another_implementation_than_gateway_controller_is_refused_before_any_write()
    {
        var run = await Deploy("--exposure=gateway", "--gateway-class=nginx");

        Assert.Equal(2, run.ExitCode);
        Assert.Contains("gateway-controller: 'envoy' says which implementation's upload settings the registry gets, but GatewayClass nginx is served by gateway.nginx.org/nginx-gateway-controller; expected nginx-fabric", run.Output);
        Assert.Empty(pipeline.Server.ClusterWrites);
    }

    [Theory]
    [InlineData("--gateway-namespace=docker-registry", "is the registry's own namespace")]
    [InlineData("--gateway-namespace=infra", "host 192.0.2.7 is an IP address, which a route cannot name", "--host=192.0.2.7")]
    public async Task Gateway_namespace_settings_that_cannot_work_are_refused(string setting, string expected, string host = "--host=registry.example.com")
    {
        var run = await pipeline.RunAsync(["--smoke-test=false", "--exposure=gateway", setting, host], new Dictionary<string, string> { ["REGISTRY_PASSWORD"] = "Gateway-Passw0rd" });

        Assert.Equal(2, run.ExitCode);
        Assert.Contains(expected, run.Output);
        Assert.Empty(pipeline.Server.ClusterWrites);
    }

    [Fact]
    public async Task On_kind_envoys_gateway_is_published_on_the_nodes_ports_through_an_envoy_proxy_it_names()
    {
        var kubeconfig = pipeline.Server.WriteKubeconfig(pipeline.Cluster.Directory, context: "kind-registry");

        var run = await pipeline.RunAsync(["--smoke-test=false", "--exposure=gateway", $"--kubeconfig={kubeconfig}"], new Dictionary<string, string> { ["REGISTRY_PASSWORD"] = "Gateway-Passw0rd" });

        Assert.True(run.ExitCode == 0, run.Output);
        var gateway = Get(Gateway, "docker-registry")!;
        Assert.Equal("""{"parametersRef":{"group":"gateway.envoyproxy.io","kind":"EnvoyProxy","name":"docker-registry"}}""", gateway["spec"]!["infrastructure"]!.ToJsonString());
        var proxy = Get(ResourceCatalogue.OfKind("gateway.envoyproxy.io/v1alpha1", "EnvoyProxy"), "docker-registry")!["spec"]!["provider"]!["kubernetes"]!;
        Assert.Equal("ClusterIP", proxy["envoyService"]!["type"]!.GetValue<string>());
        Assert.Equal("Recreate", proxy["envoyDeployment"]!["strategy"]!["type"]!.GetValue<string>());
        var ports = proxy["envoyDeployment"]!["patch"]!["value"]!["spec"]!["template"]!["spec"]!["containers"]![0]!["ports"]!.AsArray();
        Assert.Equal(["10080:80", "10443:443"], ports.Select(port => $"{port!["containerPort"]}:{port["hostPort"]}"));
        Assert.Equal("localhost", gateway["spec"]!["listeners"]![0]!["hostname"]!.GetValue<string>());
    }

    [Fact]
    public async Task On_kind_nginx_gateway_fabric_is_refused_before_any_write()
    {
        var kubeconfig = pipeline.Server.WriteKubeconfig(pipeline.Cluster.Directory, context: "kind-registry");

        var run = await pipeline.RunAsync(["--smoke-test=false", "--exposure=gateway", "--gateway-controller=nginx-fabric", $"--kubeconfig={kubeconfig}"], new Dictionary<string, string> { ["REGISTRY_PASSWORD"] = "Gateway-Passw0rd" });

        Assert.Equal(2, run.ExitCode);
        Assert.Contains("is nginx-fabric, whose Gateways need a load balancer, which kind has none of", run.Output);
        Assert.Empty(pipeline.Server.ClusterWrites);
    }

    private JsonObject? Get(ResourceType type, string name) => pipeline.Server.Store.Get(type, Ns, name);

    private List<string> Writes() => [.. pipeline.Server.ClusterWrites.Select(request => $"{request.Method} {request.Path}")];

    private Task<HostRun> Deploy(params string[] args) => pipeline.RunAsync(
        ["--host=registry.example.com", "--smoke-test=false", .. args],
        new Dictionary<string, string> { ["REGISTRY_PASSWORD"] = "Gateway-Passw0rd" });
}
