using Cake.Core;
using k8s.Models;
using Registry.Build.Kubernetes;
using Registry.Build.Manifests;
using Registry.Build.Registry;
using Registry.Build.Registry.Oci;
using Registry.Build.Settings;
using Registry.Build.State;
using Registry.Build.Tasks;
using Registry.Build.Tests.Fixtures;
using Registry.Build.Tests.Fixtures.Kubernetes;

namespace Registry.Build.Tests.Registry;

/// <summary>
/// The cluster pull check, between the smoke test's push and its delete: the emulated node's kubelet pulls the pushed
/// index for real from the real registry over TLS, with the pod's pull secret and the CA its certs.d trusts.
/// </summary>
public sealed class ClusterPullTests : IAsyncLifetime
{
    private const string Password = "Pull-Passw0rd-42";
    private const string Namespace = "docker-registry";
    private const string Host = "registry.example.com";
    private const string CertsD = "/etc/containerd/certs.d/" + Host;
    private readonly TemporaryDirectory directory = new();
    private readonly Credential login = new("admin", new Secret(Password));
    private TestCertificates certificates = null!;
    private RealRegistry registry = null!;
    private EmulatedCluster cluster = null!;

    public async Task InitializeAsync()
    {
        certificates = new TestCertificates(directory.Path);
        var settings = new RegistrySettings { Host = "localhost", Password = new Secret(Password), User = "admin" };
        var credentials = await RegistryCredentials.ResolveAsync(settings, null, CancellationToken.None);
        var config = new Declaration(ManifestTemplates.InSourceTree()).Build(settings, credentials, ownsNamespace: true).Of<RegistryConfigTask>().OfType<V1ConfigMap>().Single();
        registry = await RealRegistry.StartAsync(config.Data["config.yml"], credentials.Htpasswd, tls: (certificates.ServerCertificate, certificates.ServerKey));
        cluster = await EmulatedCluster.StartAsync();
        cluster.Server.Store.Seed(new System.Text.Json.Nodes.JsonObject { ["apiVersion"] = "v1", ["kind"] = "Namespace", ["metadata"] = new System.Text.Json.Nodes.JsonObject { ["name"] = Namespace } });
        // The node resolves the registry's host to it, as DNS and the ingress would.
        cluster.Server.Node.Registries[Host] = registry.Address;
        cluster.Server.Node.Registries["localhost"] = registry.Address;
    }

    public async Task DisposeAsync()
    {
        await cluster.DisposeAsync();
        await registry.DisposeAsync();
        directory.Dispose();
    }

    [Theory]
    [InlineData("amd64")]
    [InlineData("arm64")]
    public async Task A_node_that_trusts_the_ca_pulls_the_image_for_its_platform_with_the_pull_secret(string architecture)
    {
        cluster.Server.Node.Architecture = architecture;
        TrustCaOnNode();

        var (failure, log) = await PushAndPullAsync(login);

        Assert.Null(failure);
        Assert.Matches(@"A node pulled registry\.example\.com/smoke/registry-pipeline@sha256:[0-9a-f]{64}: Successfully pulled image", log);
    }

    [Fact]
    public async Task After_the_check_its_pod_secret_and_events_are_gone()
    {
        TrustCaOnNode();

        var (failure, _) = await PushAndPullAsync(login);

        Assert.Null(failure);
        foreach (var kind in new[] { "Pod", "Secret", "Event" })
        {
            Assert.Empty(cluster.Server.Store.List(ResourceCatalogue.OfKind("v1", kind), Namespace));
        }

        var requests = string.Join('\n', cluster.Server.Requests.Select(request => request.Path + "?" + request.Query));
        Assert.DoesNotContain(Password, requests);
        Assert.DoesNotContain(PullSecret.LoginBase64(login), requests);
    }

    [Fact]
    public async Task Without_the_pull_secret_it_fails_saying_the_nodes_need_one()
    {
        TrustCaOnNode();

        var (failure, _) = await PushAndPullAsync(null);

        Assert.NotNull(failure);
        Assert.Contains("(ErrImagePull): failed to pull and unpack image \"registry.example.com/smoke/registry-pipeline@sha256:", failure.Message);
        Assert.Contains("authorization failed: no basic auth credentials", failure.Message);
        Assert.Contains("the pull secret is missing or holds another password", failure.Message);
        Assert.Contains("pull-secret-namespaces", failure.Message);
        Assert.Empty(cluster.Server.Store.List(ResourceCatalogue.OfKind("v1", "Pod"), Namespace));
    }

    [Fact]
    public async Task A_node_without_the_ca_fails_with_x509_and_says_how_to_trust_it()
    {
        var (failure, _) = await PushAndPullAsync(login);

        Assert.NotNull(failure);
        Assert.Contains("tls: failed to verify certificate: x509: certificate signed by unknown authority", failure.Message);
        Assert.Contains("set trust-ca-on-nodes=true", failure.Message);
        Assert.Contains("/etc/containerd/certs.d/registry.example.com/", failure.Message);
    }

    [Fact]
    public async Task A_host_the_nodes_cannot_resolve_fails_saying_so()
    {
        TrustCaOnNode();
        cluster.Server.Node.Registries.Clear();

        var (failure, _) = await PushAndPullAsync(login);

        Assert.NotNull(failure);
        Assert.Contains("dial tcp: lookup registry.example.com: no such host", failure.Message);
        Assert.Contains("registry.example.com does not resolve on the nodes", failure.Message);
    }

    [Fact]
    public async Task A_pod_left_by_a_cut_off_run_is_removed_and_nothing_else()
    {
        TrustCaOnNode();
        var store = cluster.Server.Store;
        store.Seed(System.Text.Json.Nodes.JsonNode.Parse($$$"""
            {"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "registry-smoke-pull-old", "namespace": "{{{Namespace}}}", "labels": {"{{{ClusterPull.Label}}}": "true"}},
             "spec": {"containers": [{"name": "smoke", "image": "localhost/gone@sha256:{{{new string('0', 64)}}}"}]}, "status": {"phase": "Pending"}}
            """)!.AsObject());
        store.Seed(System.Text.Json.Nodes.JsonNode.Parse($$$"""
            {"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "someone-elses", "namespace": "{{{Namespace}}}"},
             "spec": {"containers": [{"name": "app", "image": "nginx"}]}, "status": {"phase": "Running"}}
            """)!.AsObject());

        var (failure, log) = await PushAndPullAsync(login);

        Assert.Null(failure);
        Assert.Contains($"Deleted Pod {Namespace}/registry-smoke-pull-old, left by an earlier run's cluster pull check.", log);
        Assert.Equal(["someone-elses"], store.List(ResourceCatalogue.OfKind("v1", "Pod"), Namespace).Select(pod => pod["metadata"]!["name"]!.GetValue<string>()));
    }

    [Fact]
    public async Task On_localhost_containerd_verifies_nothing_until_a_hosts_toml_names_the_ca()
    {
        var (unverified, _) = await PushAndPullAsync(login, "localhost");
        TrustCaOnNode("localhost", new TestCertificates(Directory.CreateDirectory(Path.Combine(directory.Path, "other")).FullName).CaPem);
        var (wrongCa, _) = await PushAndPullAsync(login, "localhost");
        TrustCaOnNode("localhost");
        var (rightCa, _) = await PushAndPullAsync(login, "localhost");

        Assert.Null(unverified);
        Assert.NotNull(wrongCa);
        Assert.Contains("x509: certificate signed by unknown authority", wrongCa.Message);
        Assert.Null(rightCa);
    }

    /// <summary>What the NodeTrust DaemonSet writes (k8s/node-trust-hosts.yaml), or a node provisioned by hand.</summary>
    private void TrustCaOnNode(string host = Host, string? caPem = null)
    {
        var directory = $"/etc/containerd/certs.d/{host}";
        cluster.Server.Node.Files[$"{directory}/hosts.toml"] = $"server = \"https://{host}\"\nca = \"{directory}/ca.crt\"\n";
        cluster.Server.Node.Files[$"{directory}/ca.crt"] = caPem ?? certificates.CaPem;
    }

    private async Task<(CakeException? Failure, string Log)> PushAndPullAsync(Credential? podLogin, string host = Host)
    {
        var log = new RecordingLog();
        var api = (await cluster.ConnectAsync()).Api;
        CakeException? failure = null;
        await new SmokeTest(log).RunAsync(registry.Address, login, new RegistryTrust(System.Security.Cryptography.X509Certificates.X509Certificate2.CreateFromPem(certificates.CaPem), false), null, async (pushed, cancellationToken) =>
        {
            try
            {
                await new ClusterPull(api, log, new WaitPolling(TimeSpan.FromMilliseconds(25)))
                    .RunAsync(Namespace, host, pushed.On(host), podLogin, TimeSpan.FromSeconds(30), cancellationToken);
            }
            catch (CakeException exception)
            {
                failure = exception;
            }
        }, CancellationToken.None);
        Assert.DoesNotContain(Password, log.Text);
        Assert.DoesNotContain(PullSecret.LoginBase64(login), log.Text + failure?.Message);
        return (failure, log.Text);
    }
}
