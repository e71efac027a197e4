using System.Text.Json.Nodes;
using Cake.Core;
using k8s;
using k8s.Models;
using Registry.Build.Kubernetes;
using Registry.Build.Tests.Fixtures.Kubernetes;

namespace Registry.Build.Tests.Kubernetes;

public sealed class ReadinessWaiterTests : IAsyncLifetime
{
    private static readonly TimeSpan Poll = TimeSpan.FromMilliseconds(20);
    private EmulatedCluster cluster = null!;
    private ObjectApplier applier = null!;
    private ReadinessWaiter waiter = null!;

    public async Task InitializeAsync()
    {
        cluster = await EmulatedCluster.StartAsync(new ControllerBehaviour { RolloutDelay = TimeSpan.FromMilliseconds(300) });
        var connected = await cluster.ConnectAsync();
        applier = new ObjectApplier(connected.Api, cluster.Log);
        waiter = new ReadinessWaiter(connected.Api, cluster.Log, Poll);
        await applier.ApplyAsync(RegistryObjects.All()[0], CancellationToken.None);
    }

    public async Task DisposeAsync() => await cluster.DisposeAsync();

    [Fact]
    public async Task A_rollout_is_waited_for_with_its_progress_in_the_log()
    {
        var deployment = RegistryObjects.Deployment(replicas: 2);
        await applier.ApplyAsync(deployment, CancellationToken.None);

        await waiter.WaitAsync(ResourceAddress.Of(deployment), Readiness.RolledOut, TimeSpan.FromSeconds(10), CancellationToken.None);

        var progress = cluster.Log.Entries.Select(entry => entry.Message).Where(message => message.StartsWith("Deployment docker-registry/docker-registry: ", StringComparison.Ordinal)).ToList();
        Assert.Contains("Deployment docker-registry/docker-registry: generation 1 not observed yet (at 0); 0 of 2 replicas updated, 0 available", progress);
        Assert.Equal("Deployment docker-registry/docker-registry: 2 of 2 replicas updated, 2 available", progress[^1]);
    }

    [Fact]
    public async Task A_rollout_that_never_finishes_times_out_with_the_last_state_seen()
    {
        cluster.Server.Behaviour.RolloutStalls = true;
        var deployment = RegistryObjects.Deployment();
        await applier.ApplyAsync(deployment, CancellationToken.None);

        var error = await Assert.ThrowsAsync<CakeException>(() =>
            waiter.WaitAsync(ResourceAddress.Of(deployment), Readiness.RolledOut, TimeSpan.FromMilliseconds(400), CancellationToken.None));

        Assert.Equal(
            "Deployment docker-registry/docker-registry was not rolled out within 0s (wait-timeout); last seen: generation 1 not observed yet (at 0); 0 of 1 replicas updated, 0 available.",
            error.Message);
    }

    [Fact]
    public async Task Ctrl_C_ends_a_wait_at_once()
    {
        cluster.Server.Behaviour.RolloutStalls = true;
        var deployment = RegistryObjects.Deployment();
        await applier.ApplyAsync(deployment, CancellationToken.None);
        using var ctrlC = new CancellationTokenSource(TimeSpan.FromMilliseconds(200));
        var clock = System.Diagnostics.Stopwatch.StartNew();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() =>
            waiter.WaitAsync(ResourceAddress.Of(deployment), Readiness.RolledOut, TimeSpan.FromMinutes(5), ctrlC.Token));

        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(5));
    }

    [Fact]
    public async Task A_rollout_past_its_progress_deadline_fails_without_waiting_out_the_timeout()
    {
        cluster.Server.Behaviour.RolloutExceedsDeadline = true;
        var deployment = RegistryObjects.Deployment();
        await applier.ApplyAsync(deployment, CancellationToken.None);
        var clock = System.Diagnostics.Stopwatch.StartNew();

        var error = await Assert.ThrowsAsync<CakeException>(() =>
            waiter.WaitAsync(ResourceAddress.Of(deployment), Readiness.RolledOut, TimeSpan.FromMinutes(5), CancellationToken.None));

        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(30));
        Assert.Contains("will not be rolled out", error.Message);
        Assert.Contains("has timed out progressing", error.Message);
    }

    [Fact]
    public async Task A_crd_is_waited_for_until_established()
    {
        var crd = new V1CustomResourceDefinition
        {
            Metadata = new V1ObjectMeta { Name = "certificates.cert-manager.io" },
            Spec = new V1CustomResourceDefinitionSpec
            {
                Group = "cert-manager.io",
                Scope = "Namespaced",
                Names = new V1CustomResourceDefinitionNames { Kind = "Certificate", Plural = "certificates" },
                Versions = [new V1CustomResourceDefinitionVersion { Name = "v1", Served = true, Storage = true }],
            },
        };
        await applier.ApplyAsync(crd, CancellationToken.None);

        await waiter.WaitAsync(ResourceAddress.Of(crd), Readiness.Established, TimeSpan.FromSeconds(10), CancellationToken.None);

        Assert.Contains(cluster.Log.Entries, entry => entry.Message == "CustomResourceDefinition certificates.cert-manager.io: Established=True (InitialNamesAccepted): the initial names have been accepted");
    }

    [Fact]
    public async Task A_certificate_that_stays_not_ready_times_out_showing_its_reason_and_message()
    {
        cluster.Server.Behaviour.NotReady = ("DoesNotExist", "Issuer letsencrypt not found");
        var certificate = (global::Registry.Build.Kubernetes.CertManager.Certificate)RegistryObjects.All()[^1];
        await applier.ApplyAsync(certificate, CancellationToken.None);

        var error = await Assert.ThrowsAsync<CakeException>(() =>
            waiter.WaitAsync(ResourceAddress.Of(certificate), Readiness.Ready, TimeSpan.FromMilliseconds(500), CancellationToken.None));

        Assert.Contains("Certificate docker-registry/docker-registry-tls-certificate was not ready within", error.Message);
        Assert.EndsWith("last seen: Ready=False (DoesNotExist): Issuer letsencrypt not found.", error.Message);
    }

    [Fact]
    public async Task A_ready_certificate_ends_the_wait_and_its_secret_appears()
    {
        var certificate = (global::Registry.Build.Kubernetes.CertManager.Certificate)RegistryObjects.All()[^1];
        await applier.ApplyAsync(certificate, CancellationToken.None);

        await waiter.WaitAsync(ResourceAddress.Of(certificate), Readiness.Ready, TimeSpan.FromSeconds(10), CancellationToken.None);

        var secret = new V1Secret { Metadata = new V1ObjectMeta { Name = "docker-registry-tls-certificate", NamespaceProperty = RegistryObjects.Namespace } };
        Assert.NotNull(await (await cluster.ConnectAsync()).Api.GetAsync(ResourceAddress.Of(secret), CancellationToken.None));
    }

    [Fact]
    public async Task A_load_balancer_address_is_waited_for_and_returned()
    {
        var service = LoadBalancer();
        await applier.ApplyAsync(service, CancellationToken.None);

        var live = await waiter.WaitAsync(ResourceAddress.Of(service), Readiness.HasAddress, TimeSpan.FromSeconds(10), CancellationToken.None);

        Assert.Equal("203.0.113.10", Readiness.AddressOf(live));
    }

    [Fact]
    public async Task A_cluster_without_a_load_balancer_times_out_saying_so()
    {
        cluster.Server.Behaviour.NoLoadBalancer = true;
        var service = LoadBalancer();
        await applier.ApplyAsync(service, CancellationToken.None);

        var error = await Assert.ThrowsAsync<CakeException>(() =>
            waiter.WaitAsync(ResourceAddress.Of(service), Readiness.HasAddress, TimeSpan.FromMilliseconds(300), CancellationToken.None));

        Assert.Contains("was not given an address within", error.Message);
        Assert.Contains("a cluster without a load balancer never gives one", error.Message);
    }

    [Theory]
    [InlineData(2, false)]
    [InlineData(3, true)]
    public void A_gateways_refusal_of_a_route_fails_the_wait_only_when_it_is_about_the_routes_current_generation(long observed, bool fails)
    {
        var route = JsonNode.Parse($$$"""
            {"metadata": {"name": "docker-registry", "namespace": "docker-registry", "generation": 3},
             "status": {"parents": [{"parentRef": {"name": "shared", "namespace": "infra"},
               "conditions": [{"type": "Accepted", "status": "False", "reason": "NotAllowedByListeners", "message": "not from here", "observedGeneration": {{{observed}}}}]}]}}
            """)!.AsObject();

        var state = Readiness.RouteAccepted("shared", "infra").Check(route);

        Assert.False(state.Ready);
        Assert.Equal(fails, state.Failed);
        Assert.Contains(fails ? "NotAllowedByListeners" : "generation 3 not reported on yet (at 2)", state.Description);
    }

    private static V1Service LoadBalancer() => new()
    {
        Metadata = new V1ObjectMeta { Name = "ingress-nginx-controller", NamespaceProperty = RegistryObjects.Namespace },
        Spec = new V1ServiceSpec { Type = "LoadBalancer", Ports = [new V1ServicePort { Port = 443 }] },
    };
}
