using System.Text;
using System.Text.Json.Nodes;
using Registry.Build.Tests.Fixtures;
using Registry.Build.Tests.Fixtures.Kubernetes;

namespace Registry.Build.Tests.Tasks;

/// <summary>The GatewayController step on a cluster with no Gateway API: the pinned CRDs from their download, then the pinned charts.</summary>
public sealed class GatewayControllerTaskTests : IAsyncLifetime
{
    private static readonly ResourceType Crd = ResourceCatalogue.OfKind("apiextensions.k8s.io/v1", "CustomResourceDefinition");
    private static readonly ResourceType GatewayClass = ResourceCatalogue.OfKind("gateway.networking.k8s.io/v1", "GatewayClass");
    private PipelineOnCluster pipeline = null!;
    private FileServer downloads = null!;

    public async Task InitializeAsync()
    {
        pipeline = await PipelineOnCluster.ReadyForDeployAsync();
        downloads = await FileServer.StartAsync();
        downloads.Files["v1.6.1/standard-install.yaml"] = Encoding.UTF8.GetBytes(StandardInstall("v1.6.1", "standard"));
    }

    public async Task DisposeAsync()
    {
        await downloads.DisposeAsync();
        await pipeline.DisposeAsync();
    }

    [Fact]
    public async Task Envoy_gets_the_standard_crds_its_own_crds_without_the_gateway_apis_its_chart_and_a_gateway_class_and_a_second_deploy_installs_nothing()
    {
        var first = await Deploy("--exposure=gateway");
        var helmCalls = pipeline.HelmInvocations.Count;
        pipeline.Server.ForgetRequests();
        var second = await Deploy("--exposure=gateway");

        Assert.True(first.ExitCode == 0, first.Output);
        Assert.Contains("Installing the Gateway API v1.6.1 CRDs (standard channel)", first.Output);
        var gateways = pipeline.Server.Store.Get(Crd, null, "gateways.gateway.networking.k8s.io")!;
        Assert.Equal("standard", gateways["metadata"]!["annotations"]!["gateway.networking.k8s.io/channel"]!.GetValue<string>());
        Assert.NotNull(pipeline.Server.Store.Get(ResourceCatalogue.OfKind("admissionregistration.k8s.io/v1", "ValidatingAdmissionPolicy"), null, "safe-upgrades.gateway.networking.k8s.io"));
        var crdsChart = pipeline.HelmInvocations.Single(call => call.StartsWith("upgrade --install envoy-gateway-crds ", StringComparison.Ordinal));
        Assert.Contains("oci://docker.io/envoyproxy/gateway-crds-helm --version v1.9.0", crdsChart);
        Assert.Contains("crds.gatewayAPI.enabled=false", crdsChart);
        Assert.Contains("crds.envoyGateway.enabled=true", crdsChart);
        var chart = pipeline.HelmInvocations.Single(call => call.StartsWith("upgrade --install envoy-gateway ", StringComparison.Ordinal));
        Assert.Contains("oci://docker.io/envoyproxy/gateway-helm --version v1.9.0", chart);
        Assert.Contains("crds.enabled=false", chart);
        Assert.True(pipeline.HelmInvocations.ToList().FindIndex(call => call.Contains("envoy-gateway-crds ", StringComparison.Ordinal))
            < pipeline.HelmInvocations.ToList().FindIndex(call => call.Contains("install envoy-gateway ", StringComparison.Ordinal)));
        Assert.Equal("gateway.envoyproxy.io/gatewayclass-controller", pipeline.Server.Store.Get(GatewayClass, null, "eg")!["spec"]!["controllerName"]!.GetValue<string>());
        Assert.Contains("GatewayClass eg is accepted by envoy.", first.Output);
        Assert.True(second.ExitCode == 0, second.Output);
        Assert.Contains("Skipping GatewayController: GatewayClass eg is accepted by gateway.envoyproxy.io/gatewayclass-controller", second.Output);
        Assert.DoesNotContain(pipeline.HelmInvocations.Skip(helmCalls), call => call.StartsWith("upgrade", StringComparison.Ordinal));
        Assert.Empty(pipeline.Server.ClusterWrites);
    }

    [Fact]
    public async Task Destroy_with_purge_prerequisites_uninstalls_envoy_and_deletes_its_gateway_class_but_keeps_the_crds()
    {
        await Deploy("--exposure=gateway");

        var destroy = await pipeline.RunAsync(["--target=Destroy", "--confirm=true", "--purge-prerequisites=true", "--exposure=gateway"], []);

        Assert.True(destroy.ExitCode == 0, destroy.Output);
        Assert.Contains(pipeline.HelmInvocations, call => call.StartsWith("uninstall envoy-gateway ", StringComparison.Ordinal));
        Assert.Null(pipeline.Server.Store.Get(GatewayClass, null, "eg"));
        Assert.Contains("GatewayClass eg: deleted, with the Envoy Gateway it named.", destroy.Output);
        Assert.NotNull(pipeline.Server.Store.Get(Crd, null, "gateways.gateway.networking.k8s.io"));
    }

    [Fact]
    public async Task Crds_the_cluster_has_are_used_as_they_are_even_experimental_ones()
    {
        foreach (var document in YamlDocuments(StandardInstall("v1.5.1", "experimental")).Where(item => item["kind"]!.GetValue<string>() == "CustomResourceDefinition"))
        {
            document["status"] = new JsonObject { ["conditions"] = new JsonArray(new JsonObject { ["type"] = "Established", ["status"] = "True" }) };
            pipeline.Server.Store.Seed(document);
        }

        var run = await Deploy("--exposure=gateway");

        Assert.True(run.ExitCode == 0, run.Output);
        Assert.Contains("The cluster serves the Gateway API CRDs of v1.5.1, experimental channel; they are used as they are", run.Output);
        Assert.Equal("experimental", pipeline.Server.Store.Get(Crd, null, "gateways.gateway.networking.k8s.io")!["metadata"]!["annotations"]!["gateway.networking.k8s.io/channel"]!.GetValue<string>());
        Assert.Null(pipeline.Server.Store.Get(ResourceCatalogue.OfKind("admissionregistration.k8s.io/v1", "ValidatingAdmissionPolicy"), null, "safe-upgrades.gateway.networking.k8s.io"));
    }

    [Fact]
    public async Task Nginx_gateway_fabric_is_installed_with_the_class_it_makes_and_its_controller_accepts()
    {
        var run = await Deploy("--exposure=gateway", "--gateway-controller=nginx-fabric");

        Assert.True(run.ExitCode == 0, run.Output);
        var chart = pipeline.HelmInvocations.Single(call => call.StartsWith("upgrade --install nginx-gateway-fabric ", StringComparison.Ordinal));
        Assert.Contains("oci://ghcr.io/nginx/charts/nginx-gateway-fabric --version 2.6.7", chart);
        Assert.Contains("nginxGateway.gatewayClassName=nginx", chart);
        Assert.Contains("GatewayClass nginx is accepted by nginx-fabric.", run.Output);
        Assert.Equal("nginx", pipeline.Server.Store.Get(ResourceCatalogue.OfKind("gateway.networking.k8s.io/v1", "Gateway"), "docker-registry", "docker-registry")!["spec"]!["gatewayClassName"]!.GetValue<string>());
    }

    [Fact]
    public async Task Traefik_gets_its_gateway_provider_and_long_entrypoint_timeouts()
    {
        var run = await Deploy("--exposure=gateway", "--gateway-controller=traefik");

        Assert.True(run.ExitCode == 0, run.Output);
        var chart = pipeline.HelmInvocations.Single(call => call.StartsWith("upgrade --install traefik ", StringComparison.Ordinal));
        Assert.Contains("providers.kubernetesGateway.enabled=true", chart);
        Assert.Contains("gatewayClass.name=traefik", chart);
        Assert.Contains("gateway.enabled=false", chart);
        Assert.Contains("ports.websecure.transport.respondingTimeouts.readTimeout=600s", chart);
    }

    [Fact]
    public async Task A_download_that_fails_names_the_setting_to_change()
    {
        downloads.Files.Clear();

        var run = await Deploy("--exposure=gateway");

        Assert.Equal(1, run.ExitCode);
        Assert.Contains($"Cannot download the Gateway API CRDs from {downloads.Address}v1.6.1/standard-install.yaml", run.Output);
        Assert.Contains("Set gateway-api-download-url to a mirror", run.Output);
        Assert.Null(pipeline.Server.Store.Get(ResourceCatalogue.OfKind("gateway.networking.k8s.io/v1", "HTTPRoute"), "docker-registry", "docker-registry"));
    }

    /// <summary>What the Gateway API's standard-install.yaml holds, in short: its CRDs with their release annotations, and the safe-upgrades policy.</summary>
    internal static string StandardInstall(string version, string channel) =>
        string.Join("---\n", new[] { ("gatewayclasses", "GatewayClass", "Cluster"), ("gateways", "Gateway", "Namespaced"), ("httproutes", "HTTPRoute", "Namespaced") }
            .Select(crd => $"""
                apiVersion: apiextensions.k8s.io/v1
                kind: CustomResourceDefinition
                metadata:
                  name: {crd.Item1}.gateway.networking.k8s.io
                  annotations:
                    gateway.networking.k8s.io/bundle-version: {version}
                    gateway.networking.k8s.io/channel: {channel}
                spec:
                  group: gateway.networking.k8s.io
                  scope: {crd.Item3}
                  names:
                    plural: {crd.Item1}
                    kind: {crd.Item2}
                  versions:
                    - name: v1
                      served: true
                      storage: true
                      schema:
                        openAPIV3Schema:
                          type: object
                          x-kubernetes-preserve-unknown-fields: true

                """).Append("""
                apiVersion: admissionregistration.k8s.io/v1
                kind: ValidatingAdmissionPolicy
                metadata:
                  name: safe-upgrades.gateway.networking.k8s.io
                spec:
                  failurePolicy: Fail
                  matchConstraints:
                    resourceRules:
                      - apiGroups: [apiextensions.k8s.io]
                        apiVersions: [v1]
                        operations: [CREATE, UPDATE]
                        resources: [customresourcedefinitions]
                  validations:
                    - expression: "true"

                """));

    private static IEnumerable<JsonObject> YamlDocuments(string text) => global::Registry.Build.Manifests.YamlToJson.Documents(text).OfType<JsonObject>();

    private Task<HostRun> Deploy(params string[] args) => pipeline.RunAsync(
        ["--host=registry.example.com", "--smoke-test=false", $"--gateway-api-download-url={downloads.Address}", .. args],
        new Dictionary<string, string> { ["REGISTRY_PASSWORD"] = "Gateway-Passw0rd" });
}
