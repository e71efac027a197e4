using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using Cake.Core;
using FilePath = Cake.Core.IO.FilePath;
using Registry.Build.Settings;
using Registry.Build.Tests.Fixtures;
using Registry.Build.Tests.Fixtures.Kubernetes;

namespace Registry.Build.Tests.Kubernetes;

public sealed class ClusterConnectorTests : IAsyncLifetime
{
    private EmulatedCluster cluster = null!;

    public async Task InitializeAsync() => cluster = await EmulatedCluster.StartAsync();

    public async Task DisposeAsync() => await cluster.DisposeAsync();

    [Fact]
    public async Task Connects_with_the_kubeconfig_given_and_says_where_it_is()
    {
        var connected = await cluster.ConnectAsync();

        Assert.Equal("v1.34.0-emulated", connected.Version);
        Assert.Equal("emulated", connected.Context);
        Assert.Contains(cluster.Log.Entries, entry => entry.Message.StartsWith($"Connected to {cluster.Server.Address.ToString().TrimEnd('/')}", StringComparison.Ordinal)
            && entry.Message.Contains($"context 'emulated' in {cluster.Kubeconfig}", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Connects_once_per_run_however_often_it_is_asked()
    {
        var connector = cluster.Connector();

        var first = await connector.ConnectAsync(CancellationToken.None);
        var second = await connector.ConnectAsync(CancellationToken.None);

        Assert.Same(first, second);
        Assert.Single(cluster.Server.Requests);
    }

    [Fact]
    public async Task Finds_the_kubeconfig_in_KUBECONFIG_among_several_files_and_uses_the_context_asked_for()
    {
        using var other = new TemporaryDirectory();
        var second = cluster.Server.WriteKubeconfig(other.Path, context: "staging");
        var connector = cluster.Connector(
            new RegistrySettings { KubeContext = "staging" },
            environment: new Dictionary<string, string> { ["KUBECONFIG"] = $"/nowhere/config{Path.PathSeparator}{cluster.Kubeconfig}{Path.PathSeparator}{second}" });

        var connected = await connector.ConnectAsync(CancellationToken.None);

        Assert.Equal("staging", connected.Context);
        Assert.Equal("$KUBECONFIG", connected.Source.Origin);
    }

    [Fact]
    public async Task Falls_back_to_the_kubeconfig_in_the_home_folder()
    {
        Directory.CreateDirectory(Path.Combine(cluster.Directory, ".kube"));
        File.Copy(cluster.Kubeconfig, Path.Combine(cluster.Directory, ".kube", "config"));
        var connector = cluster.Connector(new RegistrySettings(), environment: new Dictionary<string, string> { ["HOME"] = cluster.Directory });

        var connected = await connector.ConnectAsync(CancellationToken.None);

        Assert.Equal("~/.kube/config", connected.Source.Origin);
    }

    [Fact]
    public async Task An_unknown_context_stops_the_run_naming_the_file_and_the_contexts_it_has_before_any_request()
    {
        var connector = cluster.Connector(new RegistrySettings { Kubeconfig = new FilePath(cluster.Kubeconfig), KubeContext = "prod" });

        var error = await Assert.ThrowsAsync<CakeException>(() => connector.ConnectAsync(CancellationToken.None));

        Assert.Equal($"Cannot use the cluster: context 'prod' is not in {cluster.Kubeconfig}; it has: emulated.", error.Message);
        Assert.Empty(cluster.Server.Requests);
    }

    [Fact]
    public async Task No_kubeconfig_anywhere_says_where_it_looked_and_what_to_do()
    {
        var connector = cluster.Connector(new RegistrySettings(), environment: new Dictionary<string, string> { ["HOME"] = cluster.Directory });

        var error = await Assert.ThrowsAsync<CakeException>(() => connector.ConnectAsync(CancellationToken.None));

        Assert.StartsWith("No kubeconfig to reach a cluster with: --kubeconfig is not given, $KUBECONFIG is not set,", error.Message);
        Assert.EndsWith("Pass --kubeconfig=FILE or set $KUBECONFIG.", error.Message);
    }

    [Fact]
    public async Task Rejected_credentials_stop_the_run_naming_server_context_and_file_and_nothing_is_written()
    {
        var expired = cluster.Server.WriteKubeconfig(cluster.Directory, context: "expired", token: "expired-token");
        var connector = cluster.Connector(new RegistrySettings { Kubeconfig = new FilePath(expired) });

        var error = await Assert.ThrowsAsync<CakeException>(() => connector.ConnectAsync(CancellationToken.None));

        Assert.Contains($"rejected the credentials (401 Unauthorized", error.Message);
        Assert.Contains($"(context 'expired' in {expired})", error.Message);
        Assert.Contains("may have expired", error.Message);
        Assert.Empty(cluster.Server.MutatingRequests);
    }

    [Fact]
    public async Task An_unreachable_server_fails_clearly_within_the_connect_timeout()
    {
        var port = FreePort();
        var kubeconfig = Path.Combine(cluster.Directory, "unreachable");
        await File.WriteAllTextAsync(kubeconfig, (await File.ReadAllTextAsync(cluster.Kubeconfig)).Replace(
            cluster.Server.Address.ToString().TrimEnd('/'), $"http://127.0.0.1:{port}"));
        var connector = cluster.Connector(
            new RegistrySettings { Kubeconfig = new FilePath(kubeconfig), ConnectTimeout = TimeSpan.FromSeconds(2) },
            Build.Kubernetes.RetryOptions.Default);
        var clock = Stopwatch.StartNew();

        var error = await Assert.ThrowsAsync<CakeException>(() => connector.ConnectAsync(CancellationToken.None));

        Assert.InRange(clock.Elapsed, TimeSpan.FromSeconds(1.5), TimeSpan.FromSeconds(6));
        Assert.StartsWith($"Cannot reach the Kubernetes API server http://127.0.0.1:{port}", error.Message);
        Assert.Contains("it did not answer within 2s (connect-timeout)", error.Message);
        Assert.Contains("Connection refused", error.Message);
        Assert.EndsWith("Nothing was written.", error.Message);
    }

    [Fact]
    public async Task A_server_that_answers_after_a_few_refusals_is_used()
    {
        cluster.Server.InjectFault(request => request.Path == "/version", new Fault.DropConnection(), times: 2);

        var connected = await cluster.ConnectAsync();

        Assert.Equal("v1.34.0-emulated", connected.Version);
    }

    [Fact]
    public async Task A_503_through_the_service_proxy_is_retried_as_the_registry_not_being_ready_not_as_the_api_server()
    {
        cluster.Server.Store.Seed(System.Text.Json.Nodes.JsonNode.Parse("""{"apiVersion": "v1", "kind": "Service", "metadata": {"name": "docker-registry", "namespace": "default"}, "spec": {"ports": [{"port": 5000}]}}""")!.AsObject());
        cluster.Server.InjectFault(request => request.Path.Contains("/proxy/", StringComparison.Ordinal), new Fault.Answer(503, "no endpoints available for service \"docker-registry\""), times: 2);
        var api = (await cluster.ConnectAsync()).Api;

        await api.ProxyGetAsync("default", "docker-registry", 5000, "/v2/", CancellationToken.None);

        Assert.Contains("The registry behind service default/docker-registry is not ready (its answer through the API server's proxy) (503 ServiceUnavailable); retry 1 of", cluster.Log.Text);
        Assert.DoesNotContain("The API server did not answer", cluster.Log.Text);
    }

    [Theory]
    [InlineData("Deploy")]
    [InlineData("Plan")]
    [InlineData("Status")]
    public async Task Without_any_cluster_a_run_stops_before_its_first_task_with_the_two_ways_forward(string target)
    {
        using var home = new TemporaryDirectory();

        var run = await HostRun.Of(Pipeline.Create(), [$"--target={target}"], new Dictionary<string, string> { ["HOME"] = home.Path }, home.Path);

        Assert.Equal(2, run.ExitCode);
        Assert.Contains("kubeconfig: finds no cluster to work on: --kubeconfig is not given, $KUBECONFIG is not set", run.Output);
        Assert.Contains("'./build.sh --create-cluster=kind'", run.Output);
        Assert.Contains("'kind create cluster --name registry --config k8s/kind-cluster.yaml'", run.Output);
        Assert.Contains("--kubeconfig=FILE", run.Output);
        Assert.DoesNotContain("host:", run.Output);
        Assert.Contains("Task report: no task ran.", run.Output);
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
