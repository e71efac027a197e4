using System.Text;
using System.Text.Json.Nodes;
using Registry.Build.Inventory;
using Registry.Build.Tests.Fixtures;
using Registry.Build.Tests.Fixtures.Kubernetes;

namespace Registry.Build.Tests.Tasks;

/// <summary>web-ui=true: the guide's unfinished last step, the registry's web UI, on the registry's own origin.</summary>
public sealed class WebUiTaskTests : IAsyncLifetime
{
    private const string Password = "Web-Ui-Passw0rd";
    private static readonly ResourceType Deployment = ResourceCatalogue.OfKind("apps/v1", "Deployment");
    private static readonly ResourceType Service = ResourceCatalogue.OfKind("v1", "Service");
    private static readonly ResourceType Ingress = ResourceCatalogue.OfKind("networking.k8s.io/v1", "Ingress");
    private static readonly ResourceType Certificate = ResourceCatalogue.OfKind("cert-manager.io/v1", "Certificate");
    private static readonly ResourceType Gateway = ResourceCatalogue.OfKind("gateway.networking.k8s.io/v1", "Gateway");
    private static readonly ResourceType HttpRoute = ResourceCatalogue.OfKind("gateway.networking.k8s.io/v1", "HTTPRoute");
    private PipelineOnCluster pipeline = null!;
    private FileServer ui = null!;

    public async Task InitializeAsync()
    {
        pipeline = await PipelineOnCluster.ReadyForDeployAsync();
        // What the UI's pod serves on its port: its page (the emulator's kubelet runs no image).
        ui = await FileServer.StartAsync();
        ui.Files[string.Empty] = Encoding.UTF8.GetBytes("<!DOCTYPE html><title>Docker Registry UI</title>");
        pipeline.Server.ServiceBackends["docker-registry/docker-registry-ui:80"] = ui.Address;
    }

    public async Task DisposeAsync()
    {
        await ui.DisposeAsync();
        await pipeline.DisposeAsync();
    }

    [Fact]
    public async Task Web_ui_adds_the_uis_deployment_and_service_and_every_path_but_v2_goes_to_it_and_a_second_deploy_writes_nothing()
    {
        var first = await Deploy("--web-ui=true");
        pipeline.Server.ForgetRequests();
        var second = await Deploy("--web-ui=true");

        Assert.True(first.ExitCode == 0, first.Output);
        Assert.Contains("Executed", first.ReportRow("WebUi"));
        Assert.True(second.ExitCode == 0, second.Output);
        Assert.Empty(pipeline.Server.ClusterWrites);
        Assert.Matches(@"Skipped: .*docker-registry-ui", second.ReportRow("WebUi"));

        var pod = pipeline.Server.Store.Get(Deployment, "docker-registry", "docker-registry-ui")!["spec"]!["template"]!["spec"]!;
        var container = pod["containers"]![0]!;
        Assert.Equal("joxit/docker-registry-ui:2.6.0", container["image"]!.GetValue<string>());
        var env = Env(container);
        Assert.Equal("true", env["SINGLE_REGISTRY"]);
        Assert.Equal("true", env["DELETE_IMAGES"]);
        Assert.Equal("false", env["ENABLE_VERSION_NOTIFICATION"]);
        Assert.Equal("registry.example.com", env["REGISTRY_TITLE"]);
        // Same origin: the browser calls /v2/ itself, so the UI's nginx passes nothing on.
        Assert.False(env.ContainsKey("NGINX_PROXY_PASS_URL"));
        Assert.True(pod["securityContext"]!["runAsNonRoot"]!.GetValue<bool>());
        Assert.True(container["securityContext"]!["readOnlyRootFilesystem"]!.GetValue<bool>());
        Assert.Equal("""["ALL"]""", container["securityContext"]!["capabilities"]!["drop"]!.ToJsonString());
        // Every path the image's start script rewrites, or nginx writes to, is an emptyDir; the init container seeds two of them.
        Assert.Equal(["/etc/nginx", "/usr/share/nginx/html", "/var/cache/nginx", "/tmp"], container["volumeMounts"]!.AsArray().Select(mount => mount!["mountPath"]!.GetValue<string>()));
        Assert.All(pod["volumes"]!.AsArray(), volume => Assert.NotNull(volume!["emptyDir"]));
        Assert.Equal("8080", Ports(pipeline.Server.Store.Get(Deployment, "docker-registry", "docker-registry-ui")!["spec"]!["template"]!["spec"]!["containers"]![0]!["ports"]!.AsArray(), "containerPort"));
        Assert.Equal("http", Ports(pipeline.Server.Store.Get(Service, "docker-registry", "docker-registry-ui")!["spec"]!["ports"]!.AsArray(), "targetPort"));

        Assert.Equal(["/v2 -> docker-registry", "/ -> docker-registry-ui"], Paths(pipeline.Server.Store.Get(Ingress, "docker-registry", "docker-registry")!, 0));
        // In the inventory, so that prune and Destroy find them.
        var id = pipeline.Server.Store.Get(ResourceCatalogue.OfKind("v1", "ConfigMap"), "docker-registry", ApplySet.ParentName)!["metadata"]!["labels"]![ApplySet.IdLabel]!.GetValue<string>();
        Assert.Equal(id, pipeline.Server.Store.Get(Deployment, "docker-registry", "docker-registry-ui")!["metadata"]!["labels"]![ApplySet.PartOfLabel]!.GetValue<string>());
        Assert.Equal(id, pipeline.Server.Store.Get(Service, "docker-registry", "docker-registry-ui")!["metadata"]!["labels"]![ApplySet.PartOfLabel]!.GetValue<string>());

        var status = await pipeline.RunAsync(["--target=Status", "--host=registry.example.com", "--web-ui=true"]);
        Assert.True(status.ExitCode == 0, status.Output);
        Assert.Contains("Deployment docker-registry/docker-registry-ui: ", status.Output);
        Assert.Contains("the web UI's / through the service proxy: 200 (it answers)", status.Output);
    }

    [Fact]
    public async Task Status_fails_naming_the_ui_when_it_does_not_answer()
    {
        Assert.Equal(0, (await Deploy("--web-ui=true")).ExitCode);
        pipeline.Server.ServiceBackends.Remove("docker-registry/docker-registry-ui:80");

        var status = await pipeline.RunAsync(["--target=Status", "--host=registry.example.com", "--web-ui=true"]);

        Assert.NotEqual(0, status.ExitCode);
        Assert.Contains("the web UI's / through the service proxy: 503 (expected 200)", status.Output);
    }

    [Fact]
    public async Task Turning_the_ui_off_removes_exactly_its_deployment_and_service_and_gives_every_path_back_to_the_registry()
    {
        Assert.Equal(0, (await Deploy("--web-ui=true")).ExitCode);
        var before = AllObjects();
        pipeline.Server.ForgetRequests();

        var off = await Deploy("--web-ui=false");

        Assert.True(off.ExitCode == 0, off.Output);
        var deletes = pipeline.Server.ClusterWrites.Where(request => request.Method == "DELETE").Select(request => request.Path).Order().ToList();
        Assert.Equal(["/api/v1/namespaces/docker-registry/services/docker-registry-ui", "/apis/apps/v1/namespaces/docker-registry/deployments/docker-registry-ui"], deletes);
        Assert.Equal(before.Except(["Deployment docker-registry-ui", "Service docker-registry-ui"]).Order(), AllObjects().Order());
        Assert.Equal(["/ -> docker-registry"], Paths(pipeline.Server.Store.Get(Ingress, "docker-registry", "docker-registry")!, 0));
    }

    [Fact]
    public async Task On_a_name_of_its_own_the_ui_gets_its_own_rule_the_certificate_covers_both_and_its_nginx_passes_v2_to_the_registry()
    {
        var run = await Deploy("--web-ui=true", "--web-ui-host=registry-ui.example.com");

        Assert.True(run.ExitCode == 0, run.Output);
        var ingress = pipeline.Server.Store.Get(Ingress, "docker-registry", "docker-registry")!;
        Assert.Equal(["/ -> docker-registry"], Paths(ingress, 0));
        Assert.Equal("registry-ui.example.com", ingress["spec"]!["rules"]![1]!["host"]!.GetValue<string>());
        Assert.Equal(["/ -> docker-registry-ui"], Paths(ingress, 1));
        Assert.Equal("""["registry.example.com","registry-ui.example.com"]""", ingress["spec"]!["tls"]![0]!["hosts"]!.ToJsonString());
        var certificate = pipeline.Server.Store.Get(Certificate, "docker-registry", "docker-registry-tls-certificate")!;
        Assert.Equal("""["registry.example.com","registry-ui.example.com"]""", certificate["spec"]!["dnsNames"]!.ToJsonString());
        var env = Env(pipeline.Server.Store.Get(Deployment, "docker-registry", "docker-registry-ui")!["spec"]!["template"]!["spec"]!["containers"]![0]!);
        Assert.Equal("http://docker-registry.docker-registry.svc:5000", env["NGINX_PROXY_PASS_URL"]);
        // Pull commands the UI shows name the registry, not the UI's own name.
        Assert.Equal("registry.example.com", env["PULL_URL"]);
    }

    [Fact]
    public async Task A_cache_shows_its_images_but_offers_no_delete()
    {
        var run = await Deploy("--web-ui=true", "--mode=proxy", "--proxy-remote-url=https://registry-1.docker.io", "--smoke-test=false");

        Assert.True(run.ExitCode == 0, run.Output);
        var env = Env(pipeline.Server.Store.Get(Deployment, "docker-registry", "docker-registry-ui")!["spec"]!["template"]!["spec"]!["containers"]![0]!);
        Assert.Equal("false", env["DELETE_IMAGES"]);
    }

    [Fact]
    public async Task Plan_shows_the_ui_as_two_creates_and_an_ingress_update_and_destroy_removes_it_with_the_rest()
    {
        Assert.Equal(0, (await Deploy()).ExitCode);

        var plan = await pipeline.RunAsync(["--target=Plan", "--host=registry.example.com", "--web-ui=true"], new Dictionary<string, string> { ["REGISTRY_PASSWORD"] = Password });
        Assert.True(plan.Output.Contains("Plan: 2 to create, 1 to update, 0 to delete,"), plan.Output);
        Assert.Contains("Deploy would run WebUi, Ingress.", plan.Output);
        Assert.Equal(0, (await Deploy("--web-ui=true")).ExitCode);

        var destroy = await pipeline.RunAsync(["--target=Destroy", "--confirm=true", "--host=registry.example.com", "--web-ui=true"], []);

        Assert.True(destroy.ExitCode == 0, destroy.Output);
        Assert.Null(pipeline.Server.Store.Get(Deployment, "docker-registry", "docker-registry-ui"));
        Assert.Null(pipeline.Server.Store.Get(Service, "docker-registry", "docker-registry-ui"));
        Assert.Null(pipeline.Server.Store.Get(Deployment, "docker-registry", "docker-registry"));
    }

    [Fact]
    public async Task Through_a_gateway_the_route_splits_v2_from_the_ui_and_on_its_own_name_the_ui_gets_listeners_and_an_accepted_route()
    {
        SeededState.GatewayClass(pipeline.Server);

        var same = await Deploy("--exposure=gateway", "--web-ui=true");

        Assert.True(same.ExitCode == 0, same.Output);
        var rules = pipeline.Server.Store.Get(HttpRoute, "docker-registry", "docker-registry")!["spec"]!["rules"]!.AsArray();
        Assert.Equal(["/v2 -> docker-registry", "/ -> docker-registry-ui"], rules.Select(rule => $"{rule!["matches"]![0]!["path"]!["value"]} -> {rule["backendRefs"]![0]!["name"]}"));
        // A push through /v2 keeps the route's unlimited request time.
        Assert.Equal("0s", rules[0]!["timeouts"]!["request"]!.GetValue<string>());

        var own = await Deploy("--exposure=gateway", "--web-ui=true", "--web-ui-host=registry-ui.example.com");

        Assert.True(own.ExitCode == 0, own.Output);
        var listeners = pipeline.Server.Store.Get(Gateway, "docker-registry", "docker-registry")!["spec"]!["listeners"]!.AsArray();
        Assert.Equal(["https registry.example.com", "http registry.example.com", "https-ui registry-ui.example.com", "http-ui registry-ui.example.com"],
            listeners.Select(listener => $"{listener!["name"]} {listener["hostname"]}"));
        Assert.Single(pipeline.Server.Store.Get(HttpRoute, "docker-registry", "docker-registry")!["spec"]!["rules"]!.AsArray());
        var uiRoute = pipeline.Server.Store.Get(HttpRoute, "docker-registry", "docker-registry-ui")!;
        Assert.Equal("https-ui", uiRoute["spec"]!["parentRefs"]![0]!["sectionName"]!.GetValue<string>());
        Assert.Contains(uiRoute["status"]!["parents"]![0]!["conditions"]!.AsArray(), condition => condition!["type"]!.GetValue<string>() == "Accepted" && condition["status"]!.GetValue<string>() == "True");
        var redirect = pipeline.Server.Store.Get(HttpRoute, "docker-registry", "docker-registry-ui-http-redirect")!;
        Assert.Equal("""["registry-ui.example.com"]""", redirect["spec"]!["hostnames"]!.ToJsonString());
        Assert.Equal("http-ui", redirect["spec"]!["parentRefs"]![0]!["sectionName"]!.GetValue<string>());
        Assert.Contains(redirect["status"]!["parents"]![0]!["conditions"]!.AsArray(), condition => condition!["type"]!.GetValue<string>() == "Accepted" && condition["status"]!.GetValue<string>() == "True");
        // The registry's own redirect is as it was.
        Assert.Equal("""["registry.example.com"]""", pipeline.Server.Store.Get(HttpRoute, "docker-registry", "docker-registry-http-redirect")!["spec"]!["hostnames"]!.ToJsonString());
    }

    [Theory]
    [InlineData(new[] { "--web-ui-host=registry-ui.example.com" }, "web-ui-host: 'registry-ui.example.com' (from the command line) is set, but web-ui is false")]
    [InlineData(new[] { "--web-ui=true", "--web-ui-host=registry.example.com" }, "web-ui-host: 'registry.example.com' (from the command line) is host itself")]
    [InlineData(new[] { "--web-ui=true", "--web-ui-host=Registry UI" }, "web-ui-host: 'Registry UI' (from the command line) is not a DNS name")]
    [InlineData(new[] { "--web-ui=true", "--web-ui-image=joxit/docker-registry-ui:latest" }, "web-ui-image: 'joxit/docker-registry-ui:latest' (from the command line) is not a pinned image")]
    public async Task Bad_web_ui_settings_are_refused_before_any_request(string[] args, string expected)
    {
        var run = await pipeline.RunAsync(["--host=registry.example.com", .. args], new Dictionary<string, string> { ["REGISTRY_PASSWORD"] = Password });

        Assert.Equal(2, run.ExitCode);
        Assert.Contains(expected, run.Output);
        Assert.Empty(pipeline.Server.Requests);
    }

    [Fact]
    public async Task An_ui_on_its_own_name_needs_host_to_be_a_name_too()
    {
        var run = await pipeline.RunAsync(["--host=192.168.49.2", "--web-ui=true", "--web-ui-host=registry-ui.example.com"], new Dictionary<string, string> { ["REGISTRY_PASSWORD"] = Password });

        Assert.Equal(2, run.ExitCode);
        Assert.Contains("needs host to be a DNS name too, but host 192.168.49.2 is an IP address; expected no web-ui-host (the UI is then served at https://192.168.49.2/)", run.Output);
        Assert.Empty(pipeline.Server.Requests);
    }

    private Task<HostRun> Deploy(params string[] args) =>
        pipeline.RunAsync(["--host=registry.example.com", "--smoke-test=false", .. args], new Dictionary<string, string> { ["REGISTRY_PASSWORD"] = Password });

    private static Dictionary<string, string> Env(JsonNode container) =>
        container["env"]!.AsArray().Where(variable => variable!["value"] is not null).ToDictionary(variable => variable!["name"]!.GetValue<string>(), variable => variable!["value"]!.GetValue<string>());

    private static string Ports(JsonArray ports, string field) => ports.Single()![field]!.ToString();

    private static IEnumerable<string> Paths(JsonObject ingress, int rule) =>
        ingress["spec"]!["rules"]![rule]!["http"]!["paths"]!.AsArray().Select(path => $"{path!["path"]} -> {path["backend"]!["service"]!["name"]}");

    private List<string> AllObjects() =>
        [.. new[] { Deployment, Service, Ingress }.SelectMany(type => pipeline.Server.Store.List(type, "docker-registry").Select(item => $"{item["kind"]} {item["metadata"]!["name"]}"))];
}
