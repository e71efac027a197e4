using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text.Json.Nodes;
using Registry.Build.Manifests;
using Registry.Build.Tests.Fixtures.Kubernetes;

namespace Registry.Build.Tests.Tasks;

/// <summary>The guide's cluster prerequisites (steps 1-6), run by the real pipeline against an emulated cluster.</summary>
public sealed class PrerequisiteTasksTests : IAsyncLifetime
{
    private const string Address = "203.0.113.10";
    private static readonly string[] Steps = ["Helm", "Tiller", "IngressController", "Dns", "CertManager", "Namespace", "Inventory", "Issuer", "Certificate"];
    private PipelineOnCluster pipeline = null!;

    private static readonly ResourceType IssuerType = ResourceCatalogue.OfKind("cert-manager.io/v1", "Issuer");
    private static readonly ResourceType CertificateType = ResourceCatalogue.OfKind("cert-manager.io/v1", "Certificate");

    public async Task InitializeAsync()
    {
        pipeline = await PipelineOnCluster.StartAsync();
        pipeline.DnsRecords["registry.example.com"] = Address;
    }

    public async Task DisposeAsync() => await pipeline.DisposeAsync();

    [Fact]
    public async Task A_cluster_with_an_ingress_controller_and_cert_manager_needs_no_helm_and_gets_a_ready_issuer_and_certificate()
    {
        SeedPrerequisites();

        var run = await pipeline.RunAsync("--target=Certificate", "--host=registry.example.com");

        Assert.Equal(0, run.ExitCode);
        Assert.Empty(pipeline.HelmInvocations);
        Assert.Contains("Skipped: no chart to install, so no Helm client is needed", run.ReportRow("Helm"));
        Assert.Contains("Skipped: IngressClass nginx exists and its controller ingress-nginx/ingress-nginx-controller is available", run.ReportRow("IngressController"));
        Assert.Contains($"Skipped: registry.example.com resolves to {Address}, the ingress controller's address", run.ReportRow("Dns"));
        Assert.Contains("Skipped: cert-manager is installed", run.ReportRow("CertManager"));
        Assert.All(new[] { "Inventory", "Issuer", "Certificate" }, task => Assert.Contains("Executed", run.ReportRow(task)));
        Assert.All(new[] { "selfsigned", "registry-ca" }, issuer => Assert.True(IsReady(IssuerType, issuer), $"Issuer {issuer} is not Ready"));
        Assert.True(IsReady(CertificateType, "docker-registry-tls-certificate"));
        var certificate = pipeline.Server.Store.Get(CertificateType, "docker-registry", "docker-registry-tls-certificate")!;
        Assert.Equal("registry.example.com", certificate["spec"]!["dnsNames"]![0]!.GetValue<string>());
        Assert.Equal("registry-ca", certificate["spec"]!["issuerRef"]!["name"]!.GetValue<string>());
    }

    [Fact]
    public async Task The_self_signed_ca_is_exported_with_instructions_to_trust_it()
    {
        SeedPrerequisites();

        var run = await pipeline.RunAsync("--target=Issuer", "--host=registry.example.com");

        var exported = Path.Combine(pipeline.Artifacts, "ca.crt");
        Assert.Equal(0, run.ExitCode);
        Assert.Equal(EmulatedControllers.IssuedCertificate, await File.ReadAllTextAsync(exported));
        Assert.Contains($"The registry's CA certificate is in {exported}. Trust it on every machine that pushes or pulls:", run.Output);
        Assert.Contains("/etc/docker/certs.d/registry.example.com/ca.crt", run.Output);
        Assert.Contains("/etc/containerd/certs.d/registry.example.com/hosts.toml", run.Output);
    }

    [Fact]
    public async Task A_second_run_skips_every_step_with_its_reason_and_writes_nothing()
    {
        SeedPrerequisites();
        await pipeline.RunAsync("--target=Certificate", "--host=registry.example.com");
        pipeline.Server.ForgetRequests();

        var run = await pipeline.RunAsync("--target=Certificate", "--host=registry.example.com");

        Assert.Equal(0, run.ExitCode);
        Assert.All(Steps, task => Assert.Matches(@"Skipped: \S", run.ReportRow(task)));
        Assert.Contains("Skipped: Namespace docker-registry is as this pipeline sets it", run.ReportRow("Namespace"));
        Assert.Contains("Skipped: Issuer docker-registry/selfsigned, Certificate docker-registry/registry-ca, Issuer docker-registry/registry-ca are Ready", run.ReportRow("Issuer"));
        Assert.Contains("Skipped: Certificate docker-registry/docker-registry-tls-certificate is Ready for registry.example.com", run.ReportRow("Certificate"));
        Assert.Empty(pipeline.Server.ClusterWrites);
    }

    [Fact]
    public async Task Lets_encrypt_gets_an_acme_v2_issuer_with_the_email_and_an_http01_solver_for_the_ingress_class()
    {
        SeedPrerequisites();

        var run = await pipeline.RunAsync("--target=Certificate", "--host=registry.example.com", "--tls=letsencrypt", "--acme-email=ops@example.com");

        Assert.Equal(0, run.ExitCode);
        var acme = pipeline.Server.Store.Get(IssuerType, "docker-registry", "letsencrypt")!["spec"]!["acme"]!;
        Assert.Equal(ManifestValues.LetsEncrypt, acme["server"]!.GetValue<string>());
        Assert.Equal("ops@example.com", acme["email"]!.GetValue<string>());
        Assert.Equal("nginx", acme["solvers"]![0]!["http01"]!["ingress"]!["ingressClassName"]!.GetValue<string>());
        Assert.Equal("letsencrypt", pipeline.Server.Store.Get(CertificateType, "docker-registry", "docker-registry-tls-certificate")!["spec"]!["issuerRef"]!["name"]!.GetValue<string>());
    }

    [Fact]
    public async Task With_lets_encrypt_a_host_that_does_not_point_at_the_controller_fails_before_any_certificate_is_requested()
    {
        SeedPrerequisites();
        pipeline.DnsRecords["registry.example.com"] = "198.51.100.7";

        var run = await pipeline.RunAsync("--target=Certificate", "--host=registry.example.com", "--tls=letsencrypt-staging", "--acme-email=ops@example.com");

        Assert.Equal(1, run.ExitCode);
        Assert.Contains("Failed", run.ReportRow("Dns"));
        Assert.Contains($"registry.example.com resolves to 198.51.100.7, not to the ingress controller's address {Address}. Create this DNS record: registry.example.com. A {Address}", run.Output);
        Assert.Contains("set require-dns=false", run.Output);
        Assert.Empty(pipeline.Server.Store.List(IssuerType, null));
        Assert.Empty(pipeline.Server.Store.List(CertificateType, null));
    }

    [Fact]
    public async Task Require_dns_false_turns_the_dns_failure_into_a_warning()
    {
        SeedPrerequisites();
        pipeline.DnsRecords.Clear();

        var run = await pipeline.RunAsync("--target=Certificate", "--host=registry.example.com", "--tls=letsencrypt", "--acme-email=ops@example.com", "--require-dns=false");

        Assert.Equal(0, run.ExitCode);
        Assert.Contains("registry.example.com does not resolve, not to the ingress controller's address", run.Output);
        Assert.True(IsReady(CertificateType, "docker-registry-tls-certificate"));
    }

    [Fact]
    public async Task Lets_encrypt_without_an_email_exits_2_before_any_request()
    {
        var run = await pipeline.RunAsync("--target=Certificate", "--host=registry.example.com", "--tls=letsencrypt");

        Assert.Equal(2, run.ExitCode);
        Assert.Contains("acme-email: is required when tls is letsencrypt", run.Output);
        Assert.Empty(pipeline.Server.Requests);
    }

    [Fact]
    public async Task An_issuer_that_never_gets_ready_fails_after_wait_timeout_with_its_status_message()
    {
        SeedPrerequisites();
        pipeline.Server.Behaviour.NotReady = ("ErrRegisterACMEAccount", "Failed to register ACME account: 400 urn:ietf:params:acme:error:invalidContact");

        var run = await pipeline.RunAsync("--target=Issuer", "--host=registry.example.com", "--tls=letsencrypt", "--acme-email=ops@example.com", "--wait-timeout=1s");

        Assert.Equal(1, run.ExitCode);
        Assert.Contains("Issuer docker-registry/letsencrypt was not ready within 1s (wait-timeout); last seen: Ready=False (ErrRegisterACMEAccount): Failed to register ACME account", run.Output);
    }

    [Fact]
    public async Task Existing_secret_with_a_certificate_for_the_host_needs_no_issuer_and_no_certificate()
    {
        SeedPrerequisites();
        SeedNamespaceAndTlsSecret("registry.example.com", DateTimeOffset.UtcNow.AddDays(30));

        var run = await pipeline.RunAsync("--target=Certificate", "--host=registry.example.com", "--tls=existing-secret");

        Assert.Equal(0, run.ExitCode);
        Assert.Contains("Skipped: tls is existing-secret: docker-registry/docker-registry-tls-certificate holds a certificate valid now for registry.example.com", run.ReportRow("Issuer"));
        Assert.Contains("Skipped: tls is existing-secret", run.ReportRow("Certificate"));
        Assert.Empty(pipeline.Server.Store.List(IssuerType, null));
    }

    [Fact]
    public async Task Existing_secret_for_an_ip_host_is_checked_against_its_ip_addresses()
    {
        SeedPrerequisites();
        SeedNamespaceAndTlsSecret("192.168.49.2", DateTimeOffset.UtcNow.AddDays(30));
        // A client of an IP names no server: the controller answers with its default certificate, this one.
        SeededState.ControllerArguments(pipeline.Server, "upgrade --set controller.extraArgs.default-ssl-certificate=docker-registry/docker-registry-tls-certificate");

        var fits = await pipeline.RunAsync("--target=Issuer", "--host=192.168.49.2", "--tls=existing-secret");
        var other = await pipeline.RunAsync("--target=Issuer", "--host=192.168.49.3", "--tls=existing-secret");

        Assert.True(fits.ExitCode == 0, fits.Output);
        Assert.Contains("tls-secret docker-registry/docker-registry-tls-certificate holds a certificate for 192.168.49.2, not for 192.168.49.3.", other.Output);
    }

    [Theory]
    [InlineData("other.example.com", 30, "holds a certificate for other.example.com, not for registry.example.com")]
    [InlineData("registry.example.com", -1, "holds a certificate valid from")]
    public async Task Existing_secret_with_a_certificate_that_does_not_fit_fails_saying_why(string dnsName, int daysValid, string expected)
    {
        SeedPrerequisites();
        SeedNamespaceAndTlsSecret(dnsName, DateTimeOffset.UtcNow.AddDays(daysValid));

        var run = await pipeline.RunAsync("--target=Issuer", "--host=registry.example.com", "--tls=existing-secret");

        Assert.Equal(1, run.ExitCode);
        Assert.Contains($"tls-secret docker-registry/docker-registry-tls-certificate {expected}", run.Output);
    }

    [Fact]
    public async Task Existing_secret_that_is_missing_says_how_to_create_it()
    {
        SeedPrerequisites();

        var run = await pipeline.RunAsync("--target=Issuer", "--host=registry.example.com", "--tls=existing-secret");

        Assert.Equal(1, run.ExitCode);
        Assert.Contains("tls-secret docker-registry/docker-registry-tls-certificate does not exist. Create it (kubectl -n docker-registry create secret tls", run.Output);
    }

    [Fact]
    public async Task Ingress_controller_existing_without_the_class_fails_saying_what_to_do()
    {
        SeededState.CertManager(pipeline.Server);

        var run = await pipeline.RunAsync("--target=IngressController", "--host=registry.example.com", "--ingress-controller=existing", "--ingress-class=haproxy");

        Assert.Equal(1, run.ExitCode);
        Assert.Contains("Skipped: no chart to install", run.ReportRow("Helm"));
        Assert.Contains("ingress-controller is existing, but there is no IngressClass haproxy.", run.Output);
    }

    [Fact]
    public async Task An_empty_cluster_gets_exactly_the_pinned_charts_in_order_then_a_ready_certificate()
    {
        var run = await pipeline.RunAsync("--target=Certificate", "--host=registry.example.com");

        Assert.Equal(0, run.ExitCode);
        var cluster = $"--kubeconfig {pipeline.Cluster.Kubeconfig} --kube-context emulated";
        Assert.Equal(
            [
                "version --short",
                // Helm 3 waits for a LoadBalancer's address, which may never come: the step waits for the controller instead.
                "upgrade --install traefik oci://ghcr.io/traefik/helm/traefik --version 41.3.0 --namespace traefik --create-namespace --timeout 300s " +
                "--set ingressClass.enabled=true --set ingressClass.isDefaultClass=false --set ingressClass.name=traefik " +
                $"--set ports.websecure.transport.respondingTimeouts.readTimeout=600s --set ports.websecure.transport.respondingTimeouts.writeTimeout=600s {cluster}",
                "upgrade --install cert-manager oci://quay.io/jetstack/charts/cert-manager --version v1.21.1 --namespace cert-manager " +
                $"--create-namespace --wait --timeout 300s --atomic --set crds.enabled=true {cluster}",
            ],
            pipeline.HelmInvocations);
        Assert.Contains("Skipped: no Tiller in the cluster: Helm 3 and 4 have none", run.ReportRow("Tiller"));
        // The retired ingress-nginx is no longer what a cluster without a controller gets.
        Assert.DoesNotContain("retired", run.Output);
        Assert.Contains($"external address: {Address}", run.Output);
        Assert.True(IsReady(CertificateType, "docker-registry-tls-certificate"));
    }

    [Fact]
    public async Task An_ingress_nginx_already_serving_class_nginx_is_kept_with_its_retirement_said_and_nothing_installed()
    {
        SeededState.IngressNginx(pipeline.Server, Address);
        SeededState.CertManager(pipeline.Server);

        var run = await pipeline.RunAsync("--target=Certificate", "--host=registry.example.com");

        Assert.True(run.ExitCode == 0, run.Output);
        Assert.Contains("Skipped: IngressClass nginx exists and its controller ingress-nginx/ingress-nginx-controller is available", run.ReportRow("IngressController"));
        Assert.Contains("ingress-nginx serves class nginx on this cluster, so the registry keeps using it; it was retired in March 2026", run.Output);
        Assert.DoesNotContain(pipeline.HelmInvocations, call => call.StartsWith("upgrade", StringComparison.Ordinal));
        Assert.True(IsReady(CertificateType, "docker-registry-tls-certificate"));
    }

    [Fact]
    public async Task Ingress_controller_nginx_still_installs_ingress_nginx_for_class_nginx_and_says_it_is_retired()
    {
        SeededState.CertManager(pipeline.Server);

        var run = await pipeline.RunAsync("--target=IngressController", "--host=registry.example.com", "--ingress-controller=nginx");

        Assert.True(run.ExitCode == 0, run.Output);
        var upgrade = Assert.Single(pipeline.HelmInvocations, call => call.StartsWith("upgrade", StringComparison.Ordinal));
        Assert.StartsWith("upgrade --install ingress-nginx ingress-nginx --repo https://kubernetes.github.io/ingress-nginx --version 4.15.1", upgrade);
        Assert.Contains("--set controller.ingressClass=nginx --set controller.ingressClassResource.name=nginx", upgrade);
        Assert.Contains("ingress-nginx was retired in March 2026 and 4.15.1 is its last chart", run.Output);
    }

    [Fact]
    public async Task After_installing_the_charts_a_second_run_calls_no_helm_skips_every_step_and_writes_nothing()
    {
        await pipeline.RunAsync("--target=Certificate", "--host=registry.example.com");
        File.Delete(pipeline.HelmCalls);
        pipeline.Server.ForgetRequests();

        var run = await pipeline.RunAsync("--target=Certificate", "--host=registry.example.com");

        Assert.Equal(0, run.ExitCode);
        Assert.Empty(pipeline.HelmInvocations);
        Assert.All(Steps, task => Assert.Matches(@"Skipped: \S", run.ReportRow(task)));
        Assert.Empty(pipeline.Server.ClusterWrites);
    }

    [Fact]
    public async Task A_helm_too_old_for_oci_charts_is_replaced_by_the_pinned_release_downloaded_and_verified()
    {
        pipeline.WriteFakeHelm(pipeline.Bin, "v3.7.0+gold");
        await using var downloads = await ServePinnedHelmAsync();

        var run = await pipeline.RunAsync("--target=CertManager", "--host=registry.example.com", $"--helm-download-url={downloads.Address}");

        Assert.Equal(0, run.ExitCode);
        Assert.Contains("is older than 3.8.0 (needed for OCI charts); using the pinned v4.1.4 instead.", run.Output);
        Assert.True(File.Exists(Path.Combine(pipeline.Tools, "helm-v4.1.4", "helm")));
        var upgrade = Assert.Single(pipeline.HelmInvocations, call => call.StartsWith("upgrade", StringComparison.Ordinal));
        Assert.StartsWith("upgrade --install cert-manager oci://quay.io/jetstack/charts/cert-manager --version v1.21.1", upgrade);
        Assert.Contains("--wait=watcher --timeout 300s --rollback-on-failure", upgrade);
        Assert.DoesNotContain("--atomic", upgrade);
    }

    [Fact]
    public async Task A_helm_2_client_is_replaced_by_the_pinned_helm_and_no_tiller_is_installed()
    {
        SeededState.CertManager(pipeline.Server);
        pipeline.WriteFakeHelm(pipeline.Bin, "Client: v2.14.1+g5270352");
        await using var downloads = await ServePinnedHelmAsync();

        var run = await pipeline.RunAsync("--target=IngressController", "--host=registry.example.com", $"--helm-download-url={downloads.Address}");

        Assert.Equal(0, run.ExitCode);
        Assert.Contains("is older than 3.8.0 (needed for OCI charts); using the pinned v4.1.4 instead.", run.Output);
        Assert.Contains("Skipped: no Tiller in the cluster", run.ReportRow("Tiller"));
        Assert.DoesNotContain(pipeline.HelmInvocations, call => call.StartsWith("init", StringComparison.Ordinal));
        Assert.Null(pipeline.Server.Store.Get(ResourceCatalogue.OfKind("v1", "ServiceAccount"), "kube-system", "tiller"));
    }

    [Fact]
    public async Task Helm_version_2_is_refused_before_any_request()
    {
        var run = await pipeline.RunAsync("--target=Deploy", "--host=registry.example.com", "--helm-version=v2.14.1");

        Assert.Equal(2, run.ExitCode);
        Assert.Contains("helm-version: 'v2.14.1' (from the command line) is Helm 2, which no supported chart installs with", run.Output);
        Assert.Empty(pipeline.Server.Requests);
    }

    [Fact]
    public async Task A_leftover_tiller_is_reported_and_kept_and_removed_only_with_remove_tiller()
    {
        SeedPrerequisites();
        SeedTiller(pipeline.Server);

        var warned = await pipeline.RunAsync("--target=Tiller", "--host=registry.example.com");
        var kept = pipeline.Server.Store.Get(ResourceCatalogue.OfKind("apps/v1", "Deployment"), "kube-system", "tiller-deploy");
        var removed = await pipeline.RunAsync("--target=Tiller", "--host=registry.example.com", "--remove-tiller=true");

        Assert.Equal(0, warned.ExitCode);
        Assert.Contains("A Tiller from Helm 2 is still in the cluster (Deployment kube-system/tiller-deploy, Service kube-system/tiller-deploy, ServiceAccount kube-system/tiller, ClusterRoleBinding tiller): it serves unauthenticated gRPC with cluster-admin rights", warned.Output);
        Assert.Contains("Skipped: a leftover Tiller was found and kept; remove-tiller=true removes it", warned.ReportRow("Tiller"));
        Assert.NotNull(kept);
        Assert.Equal(0, removed.ExitCode);
        Assert.Null(pipeline.Server.Store.Get(ResourceCatalogue.OfKind("apps/v1", "Deployment"), "kube-system", "tiller-deploy"));
        Assert.Null(pipeline.Server.Store.Get(ResourceCatalogue.OfKind("rbac.authorization.k8s.io/v1", "ClusterRoleBinding"), null, "tiller"));
        Assert.NotNull(pipeline.Server.Store.Get(ResourceCatalogue.OfKind("rbac.authorization.k8s.io/v1", "ClusterRoleBinding"), null, "someone-elses"));
    }

    [Fact]
    public async Task An_ingress_nginx_daemonset_is_found_and_not_installed_again()
    {
        SeededState.CertManager(pipeline.Server);
        SeededState.IngressNginxDaemonSet(pipeline.Server);

        var run = await pipeline.RunAsync("--target=IngressController", "--host=registry.example.com");

        Assert.Equal(0, run.ExitCode);
        Assert.Contains("Skipped: IngressClass nginx exists and its controller ingress-nginx/ingress-nginx-controller is available", run.ReportRow("IngressController"));
        Assert.DoesNotContain(pipeline.HelmInvocations, call => call.StartsWith("upgrade", StringComparison.Ordinal));
    }

    [Fact]
    public async Task An_unknown_controller_behind_an_existing_class_is_trusted_and_says_so()
    {
        SeededState.CertManager(pipeline.Server);
        pipeline.Server.Store.Seed(JsonNode.Parse("""{"apiVersion": "networking.k8s.io/v1", "kind": "IngressClass", "metadata": {"name": "nginx"}, "spec": {"controller": "example.com/ingress"}}""")!.AsObject());

        var run = await pipeline.RunAsync("--target=IngressController", "--host=registry.example.com", "--ingress-class=nginx");

        Assert.Equal(0, run.ExitCode);
        Assert.Contains("Skipped: IngressClass nginx exists; its controller example.com/ingress is not one this pipeline knows how to check, so it is trusted", run.ReportRow("IngressController"));
        Assert.DoesNotContain(pipeline.HelmInvocations, call => call.StartsWith("upgrade", StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_release_someone_else_installed_that_is_not_ready_is_not_upgraded_and_the_run_says_what_to_do()
    {
        SeedPrerequisites();
        pipeline.Server.Store.Mutate(ResourceCatalogue.OfKind("apps/v1", "Deployment"), "cert-manager", "cert-manager-webhook", deployment => deployment["status"]!["availableReplicas"] = 0);
        pipeline.Server.Behaviour.RolloutStalls = true;

        var run = await pipeline.RunAsync("--target=CertManager", "--host=registry.example.com");

        Assert.Equal(1, run.ExitCode);
        Assert.Contains("Helm release cert-manager in namespace cert-manager exists but is not ready, and this pipeline did not install it, so it does not upgrade it.", run.Output);
        Assert.DoesNotContain(pipeline.HelmInvocations, call => call.StartsWith("upgrade", StringComparison.Ordinal));
    }

    // A download server with the pinned Helm release (a stand-in helm in the real archive layout) and its checksum.
    private async Task<Fixtures.FileServer> ServePinnedHelmAsync()
    {
        var downloads = await Fixtures.FileServer.StartAsync();
        var archive = Tools.Helm.HelmArchive.Create(pipeline.FakeHelm("v4.1.4+gpinned"));
        downloads.Files[Tools.Helm.HelmArchive.Name("v4.1.4")] = archive;
        downloads.Files[Tools.Helm.HelmArchive.Name("v4.1.4") + ".sha256sum"] = Tools.Helm.HelmArchive.Checksum(archive, Tools.Helm.HelmArchive.Name("v4.1.4"));
        return downloads;
    }

    [Fact]
    public async Task On_bare_metal_without_a_load_balancer_helm_3_is_not_left_waiting_for_an_address_and_the_step_waits_for_the_controller_itself()
    {
        SeededState.CertManager(pipeline.Server);
        SeededState.Node(pipeline.Server, "worker-1", null);
        pipeline.Server.Behaviour.NoLoadBalancer = true;
        pipeline.Server.Behaviour.RolloutDelay = TimeSpan.FromSeconds(1);
        pipeline.Server.Installers["ingress-nginx"] = () =>
        {
            // What the chart creates: its Service gets no address here, its Deployment becomes available once it has run.
            SeededState.IngressNginx(pipeline.Server, PipelineOnCluster.LoadBalancerAddress);
            pipeline.Server.Store.Mutate(ResourceCatalogue.OfKind("v1", "Service"), "ingress-nginx", "ingress-nginx-controller", service => service.Remove("status"));
            pipeline.Server.Store.Mutate(ResourceCatalogue.OfKind("apps/v1", "Deployment"), "ingress-nginx", "ingress-nginx-controller", deployment =>
            {
                deployment.Remove("status");
                deployment["metadata"]!["generation"] = 2L;
            });
        };

        var run = await pipeline.RunAsync("--target=IngressController", "--host=registry.example.com", "--ingress-controller=nginx", "--wait-timeout=10s");

        Assert.True(run.ExitCode == 0, run.Output);
        var upgrade = Assert.Single(pipeline.HelmInvocations, call => call.StartsWith("upgrade", StringComparison.Ordinal));
        Assert.DoesNotContain("--wait", upgrade);
        Assert.DoesNotContain("--atomic", upgrade);
        Assert.Contains("Waiting for the controller: IngressClass nginx exists, but its controller ingress-nginx/ingress-nginx-controller is not available", run.Output);
        Assert.Contains("external address: none yet (a cluster without a load balancer gives it none).", run.Output);
    }

    [Fact]
    public async Task On_minikube_without_its_addon_the_controller_listens_on_the_nodes_ports_so_helm_waits_for_it_as_usual()
    {
        SeededState.CertManager(pipeline.Server);
        SeededState.Node(pipeline.Server, "dev", null, """{"minikube.k8s.io/name": "dev"}""");
        pipeline.Server.Behaviour.NoLoadBalancer = true;

        var run = await pipeline.RunAsync("--target=IngressController", "--host=registry.example.com");

        Assert.True(run.ExitCode == 0, run.Output);
        var upgrade = Assert.Single(pipeline.HelmInvocations, call => call.StartsWith("upgrade", StringComparison.Ordinal));
        Assert.Contains("--set controller.hostPort.enabled=true", upgrade);
        Assert.Contains("--set controller.service.type=NodePort", upgrade);
        Assert.Contains("--wait --timeout 300s --atomic", upgrade);
        Assert.Contains("Detected minikube: it has no load balancer", run.Output);
    }

    private static void SeedTiller(EmulatedApiServer server)
    {
        foreach (var json in new[]
        {
            """{"apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": "tiller-deploy", "namespace": "kube-system"}, "spec": {"selector": {"matchLabels": {"app": "helm"}}, "template": {"metadata": {"labels": {"app": "helm"}}, "spec": {"containers": [{"name": "tiller", "image": "gcr.io/kubernetes-helm/tiller:v2.14.1"}]}}}}""",
            """{"apiVersion": "v1", "kind": "Service", "metadata": {"name": "tiller-deploy", "namespace": "kube-system"}, "spec": {"ports": [{"port": 44134}]}}""",
            """{"apiVersion": "v1", "kind": "ServiceAccount", "metadata": {"name": "tiller", "namespace": "kube-system"}}""",
            """{"apiVersion": "rbac.authorization.k8s.io/v1", "kind": "ClusterRoleBinding", "metadata": {"name": "tiller"}, "roleRef": {"apiGroup": "rbac.authorization.k8s.io", "kind": "ClusterRole", "name": "cluster-admin"}, "subjects": [{"kind": "ServiceAccount", "name": "tiller", "namespace": "kube-system"}]}""",
            """{"apiVersion": "rbac.authorization.k8s.io/v1", "kind": "ClusterRoleBinding", "metadata": {"name": "someone-elses"}, "roleRef": {"apiGroup": "rbac.authorization.k8s.io", "kind": "ClusterRole", "name": "view"}, "subjects": [{"kind": "ServiceAccount", "name": "tiller", "namespace": "kube-system"}]}""",
        })
        {
            server.Store.Seed(JsonNode.Parse(json)!.AsObject());
        }
    }

    [Fact]
    public async Task On_minikube_the_guides_ingress_addon_is_enabled_instead_of_a_chart()
    {
        var kubeconfig = pipeline.Server.WriteKubeconfig(pipeline.Cluster.Directory, context: "minikube");
        var minikube = Path.Combine(pipeline.Bin, "minikube");
        await File.WriteAllTextAsync(minikube, $"""
            #!/bin/sh
            echo "minikube $*" >> '{pipeline.HelmCalls}'
            curl -s -f -X POST "{pipeline.Server.Address.ToString().TrimEnd('/')}/emulator/install/ingress-nginx" > /dev/null
            """);
        File.SetUnixFileMode(minikube, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        SeededState.CertManager(pipeline.Server);

        var run = await pipeline.RunAsync("--target=IngressController", "--host=registry.example.com", $"--kubeconfig={kubeconfig}");

        Assert.Equal(0, run.ExitCode);
        Assert.Contains("minikube addons enable ingress --profile minikube", pipeline.HelmInvocations);
        Assert.DoesNotContain(pipeline.HelmInvocations, call => call.StartsWith("upgrade", StringComparison.Ordinal));
        Assert.Contains("Enabled minikube's ingress addon, as the guide does.", run.Output);
    }

    [Fact]
    public async Task On_kind_the_controller_listens_on_the_nodes_ports_since_kind_has_no_load_balancer()
    {
        var kubeconfig = pipeline.Server.WriteKubeconfig(pipeline.Cluster.Directory, context: "kind-kind");
        SeededState.CertManager(pipeline.Server);

        var run = await pipeline.RunAsync("--target=IngressController", $"--kubeconfig={kubeconfig}");

        Assert.Equal(0, run.ExitCode);
        var upgrade = Assert.Single(pipeline.HelmInvocations, call => call.StartsWith("upgrade", StringComparison.Ordinal));
        Assert.Contains("--set ports.web.hostPort=80 --set ports.websecure.hostPort=443", upgrade);
        Assert.Contains("--set service.type=NodePort", upgrade);
    }

    [Theory]
    [InlineData(false, "external address: 203.0.113.10")]
    [InlineData(true, "external address: none yet")]
    public async Task A_new_controllers_load_balancer_address_is_waited_for_briefly_and_its_absence_is_no_failure(bool noLoadBalancer, string expected)
    {
        SeededState.CertManager(pipeline.Server);
        pipeline.Server.Behaviour.NoLoadBalancer = noLoadBalancer;
        pipeline.Server.Behaviour.AddressDelay = TimeSpan.FromMilliseconds(600);
        pipeline.Server.Installers["ingress-nginx"] = () =>
        {
            // What the chart creates: a Service whose address the cluster's load balancer (if any) gives later.
            SeededState.IngressNginx(pipeline.Server, PipelineOnCluster.LoadBalancerAddress);
            pipeline.Server.Store.Mutate(ResourceCatalogue.OfKind("v1", "Service"), "ingress-nginx", "ingress-nginx-controller", service => service.Remove("status"));
        };

        var run = await pipeline.RunAsync("--target=IngressController", "--host=registry.example.com", "--ingress-controller=nginx", "--wait-timeout=2s");

        Assert.True(run.ExitCode == 0, run.Output);
        Assert.Contains("Waiting up to 2s for the controller's load balancer to get an address...", run.Output);
        Assert.Contains(expected, run.Output);
    }

    [Fact]
    public async Task Traefik_is_installed_from_its_pinned_chart_for_the_ingress_class()
    {
        pipeline.Server.Installers["traefik"] = () => { };
        SeededState.CertManager(pipeline.Server);

        var run = await pipeline.RunAsync("--target=IngressController", "--host=registry.example.com", "--ingress-controller=traefik", "--ingress-class=edge");

        Assert.Contains(pipeline.HelmInvocations, call => call.StartsWith(
            "upgrade --install traefik oci://ghcr.io/traefik/helm/traefik --version 41.3.0 --namespace traefik --create-namespace --timeout 300s " +
            "--set ingressClass.enabled=true --set ingressClass.isDefaultClass=false --set ingressClass.name=edge --set ports.websecure.transport.respondingTimeouts.readTimeout=600s " +
            "--set ports.websecure.transport.respondingTimeouts.writeTimeout=600s", StringComparison.Ordinal));
        Assert.Equal(1, run.ExitCode);
        Assert.Contains("The traefik controller was installed, but there is no IngressClass edge.", run.Output);
    }

    [Fact]
    public async Task Cert_manager_is_not_used_until_its_webhook_answers_a_dry_run()
    {
        SeededState.IngressNginx(pipeline.Server, Address);
        pipeline.Server.InjectFault(
            request => request.Method == "POST" && request.Path.EndsWith("/issuers", StringComparison.Ordinal) && request.DryRun,
            new Fault.Answer(500, "Internal error occurred: failed calling webhook \"webhook.cert-manager.io\": connect: connection refused"),
            times: 10);

        var run = await pipeline.RunAsync("--target=CertManager", "--host=registry.example.com");

        Assert.Equal(0, run.ExitCode);
        Assert.Contains("cert-manager's webhook does not answer yet: Internal error occurred: failed calling webhook", run.Output);
        Assert.Contains("cert-manager's webhook answers: a dry-run Issuer was accepted.", run.Output);
        Assert.Equal(11, pipeline.Server.Requests.Count(request => request.Method == "POST" && request.DryRun));
        Assert.Empty(pipeline.Server.Store.List(IssuerType, null));
    }

    [Fact]
    public async Task A_cluster_that_cannot_be_reached_stops_the_first_step_that_needs_it_and_nothing_is_written()
    {
        await File.WriteAllTextAsync(pipeline.Cluster.Kubeconfig, (await File.ReadAllTextAsync(pipeline.Cluster.Kubeconfig)).Replace("current-context: emulated", "current-context: gone"));

        var run = await pipeline.RunAsync("--target=Certificate", "--host=registry.example.com");

        Assert.Equal(1, run.ExitCode);
        Assert.Null(run.ReportRow("Helm"));
        Assert.Contains($"context 'gone' is not in {pipeline.Cluster.Kubeconfig}", run.Output);
        Assert.Empty(pipeline.Server.Requests);
    }

    private void SeedPrerequisites()
    {
        SeededState.IngressNginx(pipeline.Server, Address);
        SeededState.CertManager(pipeline.Server);
    }

    private bool IsReady(ResourceType type, string name) =>
        pipeline.Server.Store.Get(type, "docker-registry", name)?["status"]?["conditions"]?.AsArray()
            .Any(condition => condition!["type"]!.GetValue<string>() == "Ready" && condition["status"]!.GetValue<string>() == "True") == true;

    private void SeedNamespaceAndTlsSecret(string dnsName, DateTimeOffset notAfter)
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest($"CN={dnsName}", key, HashAlgorithmName.SHA256);
        var names = new SubjectAlternativeNameBuilder();
        if (System.Net.IPAddress.TryParse(dnsName, out var ip))
        {
            names.AddIpAddress(ip);
        }
        else
        {
            names.AddDnsName(dnsName);
        }

        request.CertificateExtensions.Add(names.Build());
        using var certificate = request.CreateSelfSigned(notAfter.AddDays(-60), notAfter);
        pipeline.Server.Store.Seed(JsonNode.Parse("""{"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": "docker-registry"}}""")!.AsObject());
        pipeline.Server.Store.Seed(new JsonObject
        {
            ["apiVersion"] = "v1",
            ["kind"] = "Secret",
            ["metadata"] = new JsonObject { ["name"] = "docker-registry-tls-certificate", ["namespace"] = "docker-registry" },
            ["type"] = "kubernetes.io/tls",
            ["data"] = new JsonObject
            {
                ["tls.crt"] = Convert.ToBase64String(System.Text.Encoding.UTF8.GetBytes(certificate.ExportCertificatePem())),
                ["tls.key"] = Convert.ToBase64String(System.Text.Encoding.UTF8.GetBytes(key.ExportPkcs8PrivateKeyPem())),
            },
        });
    }
}
