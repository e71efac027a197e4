using System.Net;
using System.Text.Json.Nodes;
using k8s;
using k8s.Autorest;
using k8s.Models;

namespace Registry.Build.Tests.Fixtures.Kubernetes;

/// <summary>
/// The emulator answers the real KubernetesClient's typed calls as an API server would; the engine's tests
/// are only as good as this.
/// </summary>
public sealed class EmulatedApiServerTests : IAsyncLifetime
{
    private const string Ns = "default";
    private EmulatedApiServer server = null!;
    private k8s.Kubernetes client = null!;
    private TemporaryDirectory directory = null!;

    public async Task InitializeAsync()
    {
        server = await EmulatedApiServer.StartAsync();
        directory = new TemporaryDirectory();
        client = new k8s.Kubernetes(KubernetesClientConfiguration.BuildConfigFromConfigFile(server.WriteKubeconfig(directory.Path)));
    }

    public async Task DisposeAsync()
    {
        client.Dispose();
        await server.DisposeAsync();
        directory.Dispose();
    }

    [Fact]
    public async Task Creates_reads_lists_by_label_and_deletes()
    {
        await client.CoreV1.CreateNamespacedConfigMapAsync(ConfigMap("a", "blue"), Ns);
        await client.CoreV1.CreateNamespacedConfigMapAsync(ConfigMap("b", "green"), Ns);

        var read = await client.CoreV1.ReadNamespacedConfigMapAsync("a", Ns);
        var blue = await client.CoreV1.ListNamespacedConfigMapAsync(Ns, labelSelector: "colour=blue");
        var notBlue = await client.CoreV1.ListNamespacedConfigMapAsync(Ns, labelSelector: "colour,colour!=blue");
        await client.CoreV1.DeleteNamespacedConfigMapAsync("a", Ns);
        var gone = await Assert.ThrowsAsync<HttpOperationException>(() => client.CoreV1.ReadNamespacedConfigMapAsync("a", Ns));

        Assert.Equal("1", read.Data["value"]);
        Assert.False(string.IsNullOrEmpty(read.Metadata.Uid));
        Assert.NotNull(read.Metadata.CreationTimestamp);
        Assert.Equal(["a"], blue.Items.Select(item => item.Metadata.Name));
        Assert.Equal(["b"], notBlue.Items.Select(item => item.Metadata.Name));
        Assert.Equal(HttpStatusCode.NotFound, gone.Response.StatusCode);
    }

    [Fact]
    public async Task Set_based_selectors_match_as_the_api_server_does_and_notin_also_takes_what_lacks_the_label()
    {
        await client.CoreV1.CreateNamespacedConfigMapAsync(ConfigMap("a", "blue"), Ns);
        await client.CoreV1.CreateNamespacedConfigMapAsync(ConfigMap("b", "green"), Ns);
        await client.CoreV1.CreateNamespacedConfigMapAsync(ConfigMap("c", "red"), Ns);
        await client.CoreV1.CreateNamespacedConfigMapAsync(new V1ConfigMap { Metadata = new V1ObjectMeta { Name = "d" } }, Ns);

        var blueOrGreen = await client.CoreV1.ListNamespacedConfigMapAsync(Ns, labelSelector: "colour in (blue, green)");
        var neither = await client.CoreV1.ListNamespacedConfigMapAsync(Ns, labelSelector: "colour notin (blue,green)");
        var redAmongThem = await client.CoreV1.ListNamespacedConfigMapAsync(Ns, labelSelector: "colour in (blue,red),colour!=blue");

        Assert.Equal(["a", "b"], blueOrGreen.Items.Select(item => item.Metadata.Name).Order());
        // Of the four made here (the namespace's kube-root-ca.crt, published meanwhile, has no colour either).
        Assert.Equal(["c", "d"], neither.Items.Select(item => item.Metadata.Name).Where(name => name.Length == 1).Order());
        Assert.Equal(["c"], redAmongThem.Items.Select(item => item.Metadata.Name));
    }

    [Fact]
    public async Task Creating_twice_is_409_and_creating_in_a_missing_namespace_is_404()
    {
        await client.CoreV1.CreateNamespacedConfigMapAsync(ConfigMap("a", "blue"), Ns);

        var twice = await Assert.ThrowsAsync<HttpOperationException>(() => client.CoreV1.CreateNamespacedConfigMapAsync(ConfigMap("a", "blue"), Ns));
        var nowhere = await Assert.ThrowsAsync<HttpOperationException>(() => client.CoreV1.CreateNamespacedConfigMapAsync(ConfigMap("c", "red"), "nowhere"));

        Assert.Equal(HttpStatusCode.Conflict, twice.Response.StatusCode);
        Assert.Contains("already exists", twice.Response.Content);
        Assert.Equal(HttpStatusCode.NotFound, nowhere.Response.StatusCode);
    }

    [Fact]
    public async Task Replacing_a_stale_version_is_409_and_a_current_one_bumps_the_resource_version()
    {
        var created = await client.CoreV1.CreateNamespacedConfigMapAsync(ConfigMap("a", "blue"), Ns);
        created.Data["value"] = "2";
        var replaced = await client.CoreV1.ReplaceNamespacedConfigMapAsync(created, "a", Ns);
        created.Data["value"] = "3";

        var stale = await Assert.ThrowsAsync<HttpOperationException>(() => client.CoreV1.ReplaceNamespacedConfigMapAsync(created, "a", Ns));

        Assert.NotEqual(created.Metadata.ResourceVersion, replaced.Metadata.ResourceVersion);
        Assert.Equal(HttpStatusCode.Conflict, stale.Response.StatusCode);
    }

    [Fact]
    public async Task Merge_and_json_patches_change_what_they_say()
    {
        await client.CoreV1.CreateNamespacedConfigMapAsync(ConfigMap("a", "blue"), Ns);

        await client.CoreV1.PatchNamespacedConfigMapAsync(new V1Patch("""{"data": {"extra": "x"}}""", V1Patch.PatchType.MergePatch), "a", Ns);
        var patched = await client.CoreV1.PatchNamespacedConfigMapAsync(
            new V1Patch("""[{"op": "replace", "path": "/data/value", "value": "9"}]""", V1Patch.PatchType.JsonPatch), "a", Ns);

        Assert.Equal("9", patched.Data["value"]);
        Assert.Equal("x", patched.Data["extra"]);
    }

    [Fact]
    public async Task A_dry_run_answers_as_if_written_and_writes_nothing()
    {
        var answer = await client.CoreV1.CreateNamespacedConfigMapAsync(ConfigMap("a", "blue"), Ns, dryRun: "All");

        Assert.Equal("a", answer.Metadata.Name);
        await Assert.ThrowsAsync<HttpOperationException>(() => client.CoreV1.ReadNamespacedConfigMapAsync("a", Ns));
        Assert.Empty(server.MutatingRequests);
    }

    [Fact]
    public async Task Generation_counts_spec_changes_only_and_an_identical_apply_changes_nothing()
    {
        var deployment = global::Registry.Build.Tests.Kubernetes.RegistryObjects.Deployment();
        deployment.Metadata.NamespaceProperty = Ns;
        var body = new V1Patch(KubernetesJson.Serialize(deployment), V1Patch.PatchType.ApplyPatch);

        var first = await client.AppsV1.PatchNamespacedDeploymentAsync(body, "docker-registry", Ns, fieldManager: "test", force: true);
        var again = await client.AppsV1.PatchNamespacedDeploymentAsync(body, "docker-registry", Ns, fieldManager: "test", force: true);
        var labelled = await client.AppsV1.PatchNamespacedDeploymentAsync(
            new V1Patch("""{"metadata": {"labels": {"team": "platform"}}}""", V1Patch.PatchType.MergePatch), "docker-registry", Ns);
        var scaled = await client.AppsV1.PatchNamespacedDeploymentAsync(
            new V1Patch("""{"spec": {"replicas": 4}}""", V1Patch.PatchType.MergePatch), "docker-registry", Ns);

        Assert.Equal(1, first.Metadata.Generation);
        Assert.Equal(first.Metadata.ResourceVersion, again.Metadata.ResourceVersion);
        Assert.Equal(1, labelled.Metadata.Generation);
        Assert.Equal(2, scaled.Metadata.Generation);
        Assert.Contains(scaled.Metadata.ManagedFields, entry => entry.Manager == "test" && entry.Operation == "Apply");
    }

    [Fact]
    public async Task Apply_without_a_field_manager_is_refused()
    {
        var error = await Assert.ThrowsAsync<HttpOperationException>(() => client.CoreV1.PatchNamespacedConfigMapAsync(
            new V1Patch(KubernetesJson.Serialize(ConfigMap("a", "blue")), V1Patch.PatchType.ApplyPatch), "a", Ns));

        Assert.Equal(HttpStatusCode.BadRequest, error.Response.StatusCode);
    }

    [Fact]
    public async Task A_seeded_cluster_already_has_its_objects_and_they_count_as_another_managers()
    {
        server.Store.Seed(JsonNode.Parse("""
            {"apiVersion": "networking.k8s.io/v1", "kind": "IngressClass", "metadata": {"name": "nginx"}, "spec": {"controller": "k8s.io/ingress-nginx"}}
            """)!.AsObject());

        var ingressClass = await client.NetworkingV1.ReadIngressClassAsync("nginx");

        Assert.Equal("k8s.io/ingress-nginx", ingressClass.Spec.Controller);
        Assert.Contains(ingressClass.Metadata.ManagedFields, entry => entry.Manager == "seed");
    }

    [Fact]
    public async Task Discovery_lists_the_groups_and_resources_served()
    {
        var groups = await client.Apis.GetAPIVersionsAsync();
        var core = await client.CoreV1.GetAPIResourcesAsync();

        Assert.Contains(groups.Groups, group => group.Name == "cert-manager.io");
        Assert.Contains(core.Resources, resource => resource.Name == "secrets" && resource.Namespaced);
    }

    private static V1ConfigMap ConfigMap(string name, string colour) => new()
    {
        Metadata = new V1ObjectMeta { Name = name, Labels = new Dictionary<string, string> { ["colour"] = colour } },
        Data = new Dictionary<string, string> { ["value"] = "1" },
    };
}
