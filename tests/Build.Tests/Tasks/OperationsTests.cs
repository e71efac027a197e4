using System.Globalization;
using System.Text.Json.Nodes;
using Registry.Build.Registry;
using Registry.Build.Tests.Fixtures;
using Registry.Build.Tests.Fixtures.Kubernetes;

namespace Registry.Build.Tests.Tasks;

/// <summary>Plan, Destroy and the run lock, as nightly jobs and people at their desks use them.</summary>
public sealed class OperationsTests : IAsyncLifetime
{
    private static readonly ResourceType Lease = ResourceCatalogue.OfKind("coordination.k8s.io/v1", "Lease");
    private static readonly ResourceType Deployment = ResourceCatalogue.OfKind("apps/v1", "Deployment");
    private readonly Dictionary<string, string> password = new() { ["REGISTRY_PASSWORD"] = "Operations-Passw0rd" };
    private PipelineOnCluster pipeline = null!;

    public async Task InitializeAsync() => pipeline = await PipelineOnCluster.ReadyForDeployAsync();

    public async Task DisposeAsync() => await pipeline.DisposeAsync();

    [Fact]
    public async Task Plan_on_an_empty_cluster_lists_what_deploy_would_create_and_writes_nothing()
    {
        var run = await Run("--target=Plan", "--detailed-exitcode=true");

        Assert.Equal(2, run.ExitCode);
        Assert.Contains("create    Namespace docker-registry", run.Output);
        Assert.Contains("create    Deployment docker-registry/docker-registry", run.Output);
        Assert.True(run.Output.Contains("Plan: 13 to create, 0 to update, 0 to delete, 0 unchanged; Deploy would run Namespace, Inventory, Issuer, Certificate, Credentials, RegistryConfig, Storage, Workload, Service, Ingress."), run.Output);
        Assert.Empty(pipeline.Server.MutatingRequests);
    }

    [Fact]
    public async Task Plan_on_a_converged_cluster_says_nothing_would_change_and_exits_0()
    {
        await Run();

        var run = await Run("--target=Plan", "--detailed-exitcode=true");

        Assert.Equal(0, run.ExitCode);
        Assert.True(run.Output.Contains("Plan: 0 to create, 0 to update, 0 to delete, 13 unchanged; Deploy would change nothing."), run.Output);
    }

    [Fact]
    public async Task Plan_on_a_drifted_cluster_names_the_field_and_exits_2_only_when_asked()
    {
        await Run();
        pipeline.Server.Store.MergePatch(Deployment, "docker-registry", "docker-registry", JsonNode.Parse("""{"spec": {"replicas": 5}}""")!.AsObject(), "kubectl-edit", dryRun: false);
        pipeline.Server.ForgetRequests();

        var plain = await Run("--target=Plan");
        var detailed = await Run("--target=Plan", "--detailed-exitcode=true");

        Assert.Equal(0, plain.ExitCode);
        Assert.Equal(2, detailed.ExitCode);
        Assert.Contains("update    Deployment docker-registry/docker-registry: spec.replicas", detailed.Output);
        Assert.Contains("Deploy would run Workload.", detailed.Output);
        Assert.Empty(pipeline.Server.MutatingRequests);
    }

    [Fact]
    public async Task Destroy_without_confirm_exits_2_before_any_request()
    {
        var run = await Run("--target=Destroy");

        Assert.Equal(2, run.ExitCode);
        Assert.Contains("confirm: is required to Destroy: it removes the registry from the cluster; expected --confirm=true", run.Output);
        Assert.Empty(pipeline.Server.Requests);
    }

    [Fact]
    public async Task Destroy_removes_the_registry_but_keeps_the_images_and_the_namespace_and_a_second_destroy_changes_nothing()
    {
        await Run();

        var first = await Run("--target=Destroy", "--confirm=true");
        pipeline.Server.ForgetRequests();
        var second = await Run("--target=Destroy", "--confirm=true");

        Assert.Equal(0, first.ExitCode);
        Assert.Contains("Deployment docker-registry/docker-registry: deleted", first.Output);
        Assert.Contains("Kept what holds data: PersistentVolumeClaim docker-registry/docker-registry-data; purge-data=true removes it.", first.Output);
        Assert.Null(Get(Deployment, "docker-registry"));
        Assert.Null(Get(ResourceCatalogue.OfKind("v1", "Secret"), RegistryCredentials.HtpasswdSecret));
        Assert.Null(Get(ResourceCatalogue.OfKind("cert-manager.io/v1", "Issuer"), "registry-ca"));
        Assert.NotNull(Get(ResourceCatalogue.OfKind("v1", "PersistentVolumeClaim"), "docker-registry-data"));
        Assert.NotNull(pipeline.Server.Store.Get(ResourceCatalogue.OfKind("v1", "Namespace"), null, "docker-registry"));
        Assert.Equal(0, second.ExitCode);
        Assert.Contains("Nothing of the registry's is left to remove in docker-registry.", second.Output);
        Assert.Empty(pipeline.Server.ClusterWrites);
        Assert.NotNull(Get(ResourceCatalogue.OfKind("apps/v1", "Deployment"), "cert-manager", "cert-manager"));
    }

    [Fact]
    public async Task Destroy_with_purge_data_removes_a_namespace_it_created_that_holds_nothing_else()
    {
        await Run();

        var run = await Run("--target=Destroy", "--confirm=true", "--purge-data=true");

        Assert.True(run.ExitCode == 0, run.Output);
        Assert.True(pipeline.Server.Store.Get(ResourceCatalogue.OfKind("v1", "Namespace"), null, "docker-registry") is null, run.Output);
        Assert.Null(Get(ResourceCatalogue.OfKind("v1", "PersistentVolumeClaim"), "docker-registry-data"));
    }

    [Fact]
    public async Task An_existing_namespace_is_never_labelled_and_survives_a_purge_with_everything_else_in_it()
    {
        var existing = pipeline.Server.Store.Seed(JsonNode.Parse("""{"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": "tools", "labels": {"team": "platform"}}}""")!.AsObject());
        pipeline.Server.Store.Seed(JsonNode.Parse("""{"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "their-config", "namespace": "tools"}, "data": {"a": "b"}}""")!.AsObject());
        pipeline.Server.Store.Seed(JsonNode.Parse("""{"apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": "their-app", "namespace": "tools"}, "spec": {"selector": {"matchLabels": {"app": "theirs"}}, "template": {"metadata": {"labels": {"app": "theirs"}}, "spec": {"containers": [{"name": "app", "image": "theirs:1"}]}}}}""")!.AsObject());
        pipeline.Server.ServiceBackends["tools/docker-registry:5000"] = pipeline.Server.ServiceBackends["docker-registry/docker-registry:5000"];

        var deploy = await Run("--namespace=tools");
        var destroy = await Run("--namespace=tools", "--target=Destroy", "--confirm=true", "--purge-data=true");

        Assert.True(deploy.ExitCode == 0, deploy.Output);
        Assert.Contains("Skipped: namespace tools exists and was not created by this pipeline", deploy.ReportRow("Namespace"));
        Assert.Equal(0, destroy.ExitCode);
        var after = pipeline.Server.Store.Get(ResourceCatalogue.OfKind("v1", "Namespace"), null, "tools");
        Assert.NotNull(after);
        Assert.Equal(existing["metadata"]!["labels"]!.ToJsonString(), after["metadata"]!["labels"]!.ToJsonString());
        Assert.Null(after["metadata"]!["annotations"]);
        Assert.NotNull(Get(ResourceCatalogue.OfKind("v1", "ConfigMap"), "their-config", "tools"));
        Assert.NotNull(Get(Deployment, "their-app", "tools"));
        Assert.Null(Get(Deployment, "docker-registry", "tools"));
        Assert.Null(Get(ResourceCatalogue.OfKind("v1", "PersistentVolumeClaim"), "docker-registry-data", "tools"));
        Assert.Null(Get(ResourceCatalogue.OfKind("v1", "ConfigMap"), "registry-pipeline-applyset", "tools"));
        Assert.Contains("Namespace tools was not created by this pipeline: it stays as it is.", destroy.Output);
    }

    [Fact]
    public async Task A_namespace_the_pipeline_created_is_kept_when_someone_else_has_moved_in()
    {
        await Run();
        pipeline.Server.Store.Seed(JsonNode.Parse("""{"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "their-config", "namespace": "docker-registry"}, "data": {"a": "b"}}""")!.AsObject());

        var run = await Run("--target=Destroy", "--confirm=true", "--purge-data=true");

        Assert.True(run.ExitCode == 0, run.Output);
        Assert.Contains("Kept namespace docker-registry: it holds what this pipeline did not create: ConfigMap their-config.", run.Output);
        Assert.NotNull(pipeline.Server.Store.Get(ResourceCatalogue.OfKind("v1", "Namespace"), null, "docker-registry"));
        Assert.NotNull(Get(ResourceCatalogue.OfKind("v1", "ConfigMap"), "their-config"));
        Assert.Null(Get(ResourceCatalogue.OfKind("v1", "PersistentVolumeClaim"), "docker-registry-data"));
    }

    [Fact]
    public async Task Destroy_on_a_cluster_without_the_namespace_writes_nothing_not_even_a_lock()
    {
        var run = await Run("--target=Destroy", "--confirm=true", "--purge-data=true");

        Assert.Equal(0, run.ExitCode);
        Assert.Contains("Namespace docker-registry does not exist: nothing of the registry's is there to remove.", run.Output);
        Assert.Empty(pipeline.Server.MutatingRequests);
    }

    [Fact]
    public async Task A_deploy_right_after_a_purge_waits_for_the_namespace_to_go_then_creates_it_again()
    {
        await Run();
        pipeline.Server.Behaviour.NamespaceDeletionDelay = TimeSpan.FromSeconds(1);
        var ns = ResourceCatalogue.OfKind("v1", "Namespace");
        pipeline.Server.Store.Delete(ns, null, "docker-registry", dryRun: false);

        var run = await Run();

        Assert.True(run.ExitCode == 0, run.Output);
        Assert.Contains("Namespace docker-registry is being deleted; waiting until it is gone", run.Output);
        Assert.Contains("Namespace docker-registry: Terminating", run.Output);
        Assert.NotNull(Get(Deployment, "docker-registry"));
    }

    [Fact]
    public async Task Purge_prerequisites_uninstalls_only_the_charts_this_pipeline_installed()
    {
        // cert-manager was there before (someone else's); the ingress controller is installed by the pipeline.
        await using var empty = await PipelineOnCluster.StartAsync();
        SeededState.CertManager(empty.Server);
        empty.DnsRecords["registry.example.com"] = PipelineOnCluster.LoadBalancerAddress;
        await empty.RunAsync(["--host=registry.example.com", "--smoke-test=false", "--wait-timeout=2s"], new Dictionary<string, string>(password));
        File.Delete(empty.HelmCalls);

        var run = await empty.RunAsync(["--host=registry.example.com", "--target=Destroy", "--confirm=true", "--purge-prerequisites=true"], new Dictionary<string, string>(password));

        Assert.Equal(0, run.ExitCode);
        Assert.Contains(empty.HelmInvocations, call => call.StartsWith("uninstall traefik --namespace traefik --wait", StringComparison.Ordinal));
        Assert.DoesNotContain(empty.HelmInvocations, call => call.Contains("cert-manager", StringComparison.Ordinal));
        Assert.Contains("cert-manager stays: this pipeline did not install it", run.Output);
    }

    [Fact]
    public async Task Destroy_leaves_alone_objects_it_did_not_create_even_with_its_name_labels_or_a_copy_of_its_label_elsewhere()
    {
        await Run();
        var secret = ResourceCatalogue.OfKind("v1", "Secret");
        var copy = Get(secret, RegistryCredentials.HtpasswdSecret)!.DeepClone().AsObject();
        copy["metadata"] = new JsonObject { ["name"] = "copied-htpasswd", ["namespace"] = "elsewhere", ["labels"] = copy["metadata"]!["labels"]!.DeepClone() };
        pipeline.Server.Store.Seed(JsonNode.Parse("""{"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": "elsewhere"}}""")!.AsObject());
        pipeline.Server.Store.Seed(copy);
        pipeline.Server.Store.Seed(JsonNode.Parse("""{"apiVersion": "cert-manager.io/v1", "kind": "Issuer", "metadata": {"name": "letsencrypt", "namespace": "docker-registry", "labels": {"app.kubernetes.io/managed-by": "registry-pipeline"}}, "spec": {"selfSigned": {}}}""")!.AsObject());

        var run = await Run("--target=Destroy", "--confirm=true", "--purge-data=true");

        Assert.Equal(0, run.ExitCode);
        Assert.NotNull(Get(secret, "copied-htpasswd", "elsewhere"));
        Assert.NotNull(Get(ResourceCatalogue.OfKind("cert-manager.io/v1", "Issuer"), "letsencrypt"));
        Assert.Contains("Kept namespace docker-registry: it holds what this pipeline did not create: Issuer letsencrypt.", run.Output);
        Assert.Null(Get(Deployment, "docker-registry"));
    }

    [Fact]
    public async Task A_plain_destroy_then_a_purge_still_removes_the_namespace_with_what_cert_manager_wrote_for_it()
    {
        await Run();
        Assert.Equal(new global::Registry.Build.Inventory.ApplySet("docker-registry").Id, Get(ResourceCatalogue.OfKind("v1", "Secret"), "docker-registry-tls-certificate")!["metadata"]!["labels"]!["registry-pipeline/made-for"]!.GetValue<string>());

        await Run("--target=Destroy", "--confirm=true");
        var purge = await Run("--target=Destroy", "--confirm=true", "--purge-data=true");

        Assert.True(purge.ExitCode == 0, purge.Output);
        Assert.Contains("Secret docker-registry/registry-ca: deleted (written by cert-manager for this pipeline's Certificate)", purge.Output);
        Assert.Null(pipeline.Server.Store.Get(ResourceCatalogue.OfKind("v1", "Namespace"), null, "docker-registry"));
    }

    [Fact]
    public async Task After_switching_away_from_letsencrypt_a_purge_removes_the_namespace_since_the_account_key_went_with_its_issuer()
    {
        await Run("--tls=letsencrypt", "--acme-email=ops@example.com");
        Assert.NotNull(Get(ResourceCatalogue.OfKind("v1", "Secret"), "letsencrypt-account-key"));

        var deploy = await Run("--tls=selfsigned");
        var purge = await Run("--target=Destroy", "--confirm=true", "--purge-data=true");

        Assert.Contains("Secret docker-registry/letsencrypt-account-key: deleted (no longer wanted)", deploy.Output);
        Assert.True(purge.ExitCode == 0, purge.Output);
        Assert.Null(pipeline.Server.Store.Get(ResourceCatalogue.OfKind("v1", "Namespace"), null, "docker-registry"));
    }

    [Fact]
    public async Task A_purge_without_purge_prerequisites_warns_that_the_record_of_the_charts_goes_with_the_namespace()
    {
        await using var empty = await PipelineOnCluster.StartAsync();
        empty.DnsRecords["registry.example.com"] = PipelineOnCluster.LoadBalancerAddress;
        await empty.RunAsync(["--host=registry.example.com", "--smoke-test=false", "--wait-timeout=2s"], new Dictionary<string, string>(password));

        var run = await empty.RunAsync(["--host=registry.example.com", "--target=Destroy", "--confirm=true", "--purge-data=true"], new Dictionary<string, string>(password));

        Assert.Equal(0, run.ExitCode);
        Assert.Contains("The record that this pipeline installed traefik (oci://ghcr.io/traefik/helm/traefik 41.3.0) in traefik, cert-manager (oci://quay.io/jetstack/charts/cert-manager v1.21.1) in cert-manager goes with namespace docker-registry", run.Output);
    }

    [Fact]
    public async Task Switching_tls_from_letsencrypt_to_selfsigned_prunes_the_acme_issuer_and_plan_shows_it_first()
    {
        string[] acme = ["--tls=letsencrypt", "--acme-email=ops@example.com"];
        await Run(acme);
        pipeline.Server.Store.Seed(JsonNode.Parse("""{"apiVersion": "cert-manager.io/v1", "kind": "Issuer", "metadata": {"name": "theirs", "namespace": "docker-registry", "labels": {"app.kubernetes.io/managed-by": "registry-pipeline"}}, "spec": {"selfSigned": {}}}""")!.AsObject());
        Assert.NotNull(Get(ResourceCatalogue.OfKind("cert-manager.io/v1", "Issuer"), "letsencrypt"));
        pipeline.Server.ForgetRequests();

        var plan = await Run("--target=Plan", "--tls=selfsigned");
        var planWrites = pipeline.Server.MutatingRequests.Count;
        var deploy = await Run("--tls=selfsigned");

        Assert.Equal(0, planWrites);
        Assert.Contains("delete    Issuer docker-registry/letsencrypt", plan.Output);
        Assert.Contains("Deploy would run", plan.Output);
        Assert.Contains("Prune", plan.Output.Split("Deploy would run")[1]);
        Assert.True(deploy.ExitCode == 0, deploy.Output);
        Assert.Contains("Issuer docker-registry/letsencrypt: deleted (no longer wanted)", deploy.Output);
        Assert.Null(Get(ResourceCatalogue.OfKind("cert-manager.io/v1", "Issuer"), "letsencrypt"));
        Assert.NotNull(Get(ResourceCatalogue.OfKind("cert-manager.io/v1", "Issuer"), "theirs"));
        Assert.NotNull(Get(ResourceCatalogue.OfKind("cert-manager.io/v1", "Issuer"), "registry-ca"));
        Assert.Equal(
            ["/apis/cert-manager.io/v1/namespaces/docker-registry/issuers/letsencrypt", "/api/v1/namespaces/docker-registry/secrets/letsencrypt-account-key"],
            pipeline.Server.MutatingRequests.Where(request => request.Method == "DELETE" && !request.Path.Contains("/leases/", StringComparison.Ordinal)).Select(request => request.Path));
        var parent = Get(ResourceCatalogue.OfKind("v1", "ConfigMap"), "registry-pipeline-applyset")!;
        Assert.StartsWith("applyset-", parent["metadata"]!["labels"]!["applyset.kubernetes.io/id"]!.GetValue<string>());
        Assert.DoesNotContain(pipeline.Server.MutatingRequests, request => request.Path.EndsWith("/issuers/theirs", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Plan_shows_a_new_password_as_an_update_of_the_htpasswd_secret_and_a_missing_one_as_one_deploy_would_generate()
    {
        await Run();
        pipeline.Server.ForgetRequests();

        var changed = await pipeline.RunAsync(["--host=registry.example.com", "--target=Plan"], new Dictionary<string, string> { ["REGISTRY_PASSWORD"] = "A-New-Passw0rd" });
        var otherUser = await pipeline.RunAsync(["--host=registry.example.com", "--target=Plan", "--user=someone"], []);

        Assert.Contains("update    Secret docker-registry/docker-registry-htpasswd: data.htpasswd", changed.Output);
        Assert.Contains("No password was given and user someone has none in the cluster: Deploy would generate one", otherUser.Output);
        Assert.DoesNotContain("was generated", otherUser.Output);
        Assert.Empty(pipeline.Server.MutatingRequests);
    }

    [Fact]
    public async Task Deploy_never_takes_over_an_object_of_the_same_name_that_is_someone_elses_and_plan_says_so()
    {
        pipeline.Server.Store.Seed(JsonNode.Parse("""{"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": "tools"}}""")!.AsObject());
        pipeline.Server.Store.Seed(JsonNode.Parse("""{"apiVersion": "cert-manager.io/v1", "kind": "Issuer", "metadata": {"name": "selfsigned", "namespace": "tools"}, "spec": {"selfSigned": {}}}""")!.AsObject());
        pipeline.Server.ForgetRequests();

        var plan = await Run("--namespace=tools", "--target=Plan");
        var deploy = await Run("--namespace=tools");

        Assert.Contains("conflict  Issuer tools/selfsigned: exists and is not this pipeline's; Deploy would stop before changing anything", plan.Output);
        Assert.Equal(1, deploy.ExitCode);
        Assert.Contains("Issuer tools/selfsigned already exists and is not this pipeline's: it does not take over what someone else made.", deploy.Output);
        Assert.Empty(pipeline.Server.ClusterWrites);
        Assert.Null(Get(ResourceCatalogue.OfKind("cert-manager.io/v1", "Issuer"), "selfsigned", "tools")!["metadata"]!["labels"]);
    }

    [Fact]
    public async Task Objects_an_earlier_version_of_the_pipeline_made_are_adopted_into_the_inventory()
    {
        await Run();
        var configMap = ResourceCatalogue.OfKind("v1", "ConfigMap");
        // As an earlier version left it: written by the pipeline's field manager, without the inventory's label, no parent.
        pipeline.Server.Store.MergePatch(configMap, "docker-registry", "docker-registry-config", JsonNode.Parse("""{"metadata": {"labels": {"applyset.kubernetes.io/part-of": null}}}""")!.AsObject(), "kubectl-edit", dryRun: false);
        pipeline.Server.Store.Delete(configMap, "docker-registry", "registry-pipeline-applyset", dryRun: false);

        var run = await Run();

        Assert.True(run.ExitCode == 0, run.Output);
        Assert.Equal(new global::Registry.Build.Inventory.ApplySet("docker-registry").Id, Get(configMap, "docker-registry-config")!["metadata"]!["labels"]!["applyset.kubernetes.io/part-of"]!.GetValue<string>());
        Assert.NotNull(Get(configMap, "registry-pipeline-applyset"));
    }

    [Fact]
    public async Task An_acme_account_key_another_issuer_uses_is_kept_when_the_pipelines_issuer_is_pruned()
    {
        await Run("--tls=letsencrypt", "--acme-email=ops@example.com");
        pipeline.Server.Store.Seed(JsonNode.Parse("""{"apiVersion": "cert-manager.io/v1", "kind": "Issuer", "metadata": {"name": "their-acme", "namespace": "docker-registry"}, "spec": {"acme": {"email": "them@example.com", "server": "https://acme-v02.api.letsencrypt.org/directory", "privateKeySecretRef": {"name": "letsencrypt-account-key"}, "solvers": []}}}""")!.AsObject());

        var run = await Run("--tls=selfsigned");

        Assert.True(run.ExitCode == 0, run.Output);
        Assert.Contains("Issuer docker-registry/letsencrypt: deleted (no longer wanted)", run.Output);
        Assert.NotNull(Get(ResourceCatalogue.OfKind("v1", "Secret"), "letsencrypt-account-key"));
    }

    [Fact]
    public async Task A_new_user_without_a_password_gets_one_and_every_other_users_entry_stays()
    {
        await Run();
        var before = Htpasswd();

        var run = await pipeline.RunAsync(["--host=registry.example.com", "--smoke-test=false", "--user=ci"], []);

        Assert.True(run.ExitCode == 0, run.Output);
        var after = Htpasswd();
        Assert.Equal(before.Split('\n')[0], after.Split('\n')[0]);
        Assert.StartsWith("ci:$2y$", after.Split('\n')[1]);
    }

    [Fact]
    public async Task An_object_owned_from_outside_the_namespace_keeps_it_and_charts_another_registry_uses_are_kept()
    {
        await using var empty = await PipelineOnCluster.StartAsync();
        empty.DnsRecords["registry.example.com"] = PipelineOnCluster.LoadBalancerAddress;
        var other = new Dictionary<string, string>(password);
        await empty.RunAsync(["--host=registry.example.com", "--smoke-test=false", "--wait-timeout=2s"], new Dictionary<string, string>(password));
        await empty.RunAsync(["--host=registry.example.com", "--smoke-test=false", "--wait-timeout=2s", "--namespace=second"], other);
        empty.Server.Store.Seed(JsonNode.Parse("""{"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "operator-state", "namespace": "docker-registry", "ownerReferences": [{"apiVersion": "example.com/v1", "kind": "Cluster", "name": "c", "uid": "9b1f7a7e-0000-4000-8000-000000000001"}]}}""")!.AsObject());
        File.Delete(empty.HelmCalls);

        var run = await empty.RunAsync(["--host=registry.example.com", "--target=Destroy", "--confirm=true", "--purge-data=true", "--purge-prerequisites=true"], new Dictionary<string, string>(password));

        Assert.Equal(0, run.ExitCode);
        Assert.Contains("it holds what this pipeline did not create: ConfigMap operator-state", run.Output);
        Assert.Contains("the registry pipeline in second uses them too", run.Output);
        Assert.DoesNotContain(empty.HelmInvocations, call => call.StartsWith("uninstall", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Status_exits_0_when_healthy_and_1_when_the_pods_are_not_ready_or_the_service_is_gone()
    {
        await Run();

        var healthy = await Run("--target=Status");
        pipeline.Server.Store.Mutate(Deployment, "docker-registry", "docker-registry", deployment => deployment["status"]!["availableReplicas"] = 0);
        pipeline.Server.Behaviour.RolloutStalls = true;
        var notReady = await Run("--target=Status");
        pipeline.Server.Behaviour.RolloutStalls = false;
        await Run();
        pipeline.Server.Store.Delete(ResourceCatalogue.OfKind("v1", "Service"), "docker-registry", "docker-registry", dryRun: false);
        var noService = await Run("--target=Status");

        Assert.True(healthy.ExitCode == 0, healthy.Output);
        Assert.Equal(1, notReady.ExitCode);
        Assert.Contains("The registry is not healthy: Deployment docker-registry/docker-registry: 1 of 1 replicas updated, 0 available", notReady.Output);
        Assert.Equal(1, noService.ExitCode);
        Assert.Contains("The registry is not healthy: /v2/ through the service proxy: 404", noService.Output);
    }

    [Fact]
    public async Task A_second_concurrent_deploy_waits_then_fails_naming_the_holder_and_nothing_is_written_twice()
    {
        pipeline.Server.Behaviour.RolloutDelay = TimeSpan.FromSeconds(4);
        var first = Run();
        while (pipeline.Server.Store.Get(Lease, "docker-registry", "registry-pipeline-lock") is null)
        {
            await Task.Delay(20);
        }

        var second = await Run("--lock-timeout=1s");
        var firstRun = await first;

        Assert.Equal(0, firstRun.ExitCode);
        Assert.Equal(1, second.ExitCode);
        Assert.Matches(@"Another run holds the lock on docker-registry: \S+@\S+ pid \d+ \(Deploy\), since \d{4}-\d\d-\d\d", second.Output);
        Assert.Contains("Waited 1s (lock-timeout). Run again when it is done; nothing was changed.", second.Output);
        Assert.All(pipeline.Server.ClusterWrites.GroupBy(write => write.Path), writes => Assert.Single(writes));
    }

    [Fact]
    public async Task A_lock_whose_holder_died_expires_and_the_next_run_proceeds_and_releases_it()
    {
        var stale = DateTimeOffset.UtcNow.AddMinutes(-5).UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.ffffff'Z'", CultureInfo.InvariantCulture);
        pipeline.Server.Store.Seed(JsonNode.Parse("""{"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": "docker-registry"}}""")!.AsObject());
        pipeline.Server.Store.Seed(JsonNode.Parse($$"""
            {"apiVersion": "coordination.k8s.io/v1", "kind": "Lease", "metadata": {"name": "registry-pipeline-lock", "namespace": "docker-registry"},
             "spec": {"holderIdentity": "nightly@ci-runner pid 4242 (Deploy)", "leaseDurationSeconds": 60, "acquireTime": "{{stale}}", "renewTime": "{{stale}}"} }
            """)!.AsObject());

        var run = await Run();

        Assert.Equal(0, run.ExitCode);
        Assert.Contains("Taking over the run lock of nightly@ci-runner pid 4242 (Deploy)", run.Output);
        Assert.Null(pipeline.Server.Store.Get(Lease, "docker-registry", "registry-pipeline-lock"));
    }

    [Fact]
    public async Task Runs_that_only_read_take_no_lock()
    {
        await Run();
        pipeline.Server.ForgetRequests();

        await Run("--target=Status");
        await Run("--target=Plan");

        Assert.Empty(pipeline.Server.MutatingRequests);
    }

    private string Htpasswd() => System.Text.Encoding.UTF8.GetString(Convert.FromBase64String(
        Get(ResourceCatalogue.OfKind("v1", "Secret"), RegistryCredentials.HtpasswdSecret)!["data"]!["htpasswd"]!.GetValue<string>())).TrimEnd('\n');

    private JsonObject? Get(ResourceType type, string name, string ns = "docker-registry") => pipeline.Server.Store.Get(type, ns, name);

    private Task<HostRun> Run(params string[] args) =>
        pipeline.RunAsync(["--host=registry.example.com", "--smoke-test=false", .. args], new Dictionary<string, string>(password));
}
