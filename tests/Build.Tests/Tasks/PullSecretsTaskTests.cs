using System.Text;
using System.Text.Json.Nodes;
using Registry.Build.Inventory;
using Registry.Build.Registry;
using Registry.Build.Tests.Fixtures;
using Registry.Build.Tests.Fixtures.Kubernetes;

namespace Registry.Build.Tests.Tasks;

/// <summary>The PullSecrets step: the registry's login where workloads live, kept in step with the registry's credentials.</summary>
public sealed class PullSecretsTaskTests : IAsyncLifetime
{
    private static readonly ResourceType Secret = ResourceCatalogue.OfKind("v1", "Secret");
    private static readonly ResourceType ServiceAccount = ResourceCatalogue.OfKind("v1", "ServiceAccount");

    private PipelineOnCluster pipeline = null!;

    public async Task InitializeAsync()
    {
        pipeline = await PipelineOnCluster.ReadyForDeployAsync();
        foreach (var ns in new[] { "apps", "jobs" })
        {
            pipeline.Server.Store.Seed(new JsonObject { ["apiVersion"] = "v1", ["kind"] = "Namespace", ["metadata"] = new JsonObject { ["name"] = ns } });
        }

        // apps' default account already pulls from another registry with a secret of the team's.
        pipeline.Server.Store.Seed(JsonNode.Parse("""
            {"apiVersion": "v1", "kind": "ServiceAccount", "metadata": {"name": "default", "namespace": "apps"}, "imagePullSecrets": [{"name": "team-registry"}]}
            """)!.AsObject());
        pipeline.Server.Store.Seed(JsonNode.Parse("""{"apiVersion": "v1", "kind": "ServiceAccount", "metadata": {"name": "default", "namespace": "jobs"}}""")!.AsObject());
    }

    public async Task DisposeAsync() => await pipeline.DisposeAsync();

    [Fact]
    public async Task Each_namespace_gets_a_login_the_registry_accepts_and_its_default_account_lists_it_next_to_its_others_and_a_second_deploy_writes_nothing()
    {
        var first = await Deploy("First-Passw0rd", "--pull-secret-namespaces=apps,jobs", "--pull-secret-service-accounts=true");
        pipeline.Server.ForgetRequests();
        var second = await Deploy("First-Passw0rd", "--pull-secret-namespaces=apps,jobs", "--pull-secret-service-accounts=true");

        Assert.True(first.ExitCode == 0, first.Output);
        var htpasswd = Htpasswd.Parse(SecretText("docker-registry", RegistryCredentials.HtpasswdSecret, "htpasswd"));
        foreach (var ns in new[] { "apps", "jobs" })
        {
            var secret = pipeline.Server.Store.Get(Secret, ns, "docker-registry-pull-secret")!;
            Assert.Equal("kubernetes.io/dockerconfigjson", secret["type"]!.GetValue<string>());
            Assert.NotNull(secret["metadata"]!["labels"]![ApplySet.PartOfLabel]);
            var auth = JsonNode.Parse(SecretText(ns, "docker-registry-pull-secret", ".dockerconfigjson"))!["auths"]!["registry.example.com"]!["auth"]!.GetValue<string>();
            var login = Encoding.UTF8.GetString(Convert.FromBase64String(auth)).Split(':', 2);
            Assert.Equal("admin", login[0]);
            Assert.True(Htpasswd.Verifies(htpasswd["admin"], login[1]));
        }

        Assert.Equal("""[{"name":"team-registry"},{"name":"docker-registry-pull-secret"}]""", Account("apps")["imagePullSecrets"]!.ToJsonString());
        Assert.Equal("""[{"name":"docker-registry-pull-secret"}]""", Account("jobs")["imagePullSecrets"]!.ToJsonString());
        Assert.DoesNotContain("First-Passw0rd", first.Output + second.Output);
        Assert.True(second.ExitCode == 0, second.Output);
        Assert.True(second.Output.Contains("Skipping PullSecrets: Secret apps/docker-registry-pull-secret, Secret jobs/docker-registry-pull-secret are as this pipeline sets them; their default ServiceAccounts list docker-registry-pull-secret"), second.Output);
        Assert.Empty(pipeline.Server.ClusterWrites);
    }

    [Fact]
    public async Task A_new_password_rewrites_every_copy_in_the_same_run()
    {
        await Deploy("First-Passw0rd", "--pull-secret-namespaces=apps,jobs");

        var changed = await Deploy("Second-Passw0rd", "--pull-secret-namespaces=apps,jobs");

        Assert.True(changed.ExitCode == 0, changed.Output);
        var hash = Htpasswd.Parse(SecretText("docker-registry", RegistryCredentials.HtpasswdSecret, "htpasswd"))["admin"];
        foreach (var ns in new[] { "apps", "jobs" })
        {
            var held = PullSecret.LoginFor(SecretText(ns, "docker-registry-pull-secret", ".dockerconfigjson"), "registry.example.com")!;
            Assert.Equal("Second-Passw0rd", held.Password.Reveal());
            Assert.True(Htpasswd.Verifies(hash, held.Password.Reveal()));
        }
    }

    [Fact]
    public async Task A_namespace_dropped_from_the_list_loses_its_copy_and_nothing_else()
    {
        await Deploy("First-Passw0rd", "--pull-secret-namespaces=apps,jobs", "--pull-secret-service-accounts=true");
        pipeline.Server.ForgetRequests();

        var dropped = await Deploy("First-Passw0rd", "--pull-secret-namespaces=apps", "--pull-secret-service-accounts=true");

        Assert.True(dropped.ExitCode == 0, dropped.Output);
        Assert.Null(pipeline.Server.Store.Get(Secret, "jobs", "docker-registry-pull-secret"));
        Assert.NotNull(pipeline.Server.Store.Get(Secret, "apps", "docker-registry-pull-secret"));
        // The copy's deletion, and the inventory's parent that no longer names jobs; nothing else.
        Assert.Equal(
            ["DELETE /api/v1/namespaces/jobs/secrets/docker-registry-pull-secret", "PATCH /api/v1/namespaces/docker-registry/configmaps/registry-pipeline-applyset"],
            pipeline.Server.ClusterWrites.Select(request => $"{request.Method} {request.Path}").Order().ToArray());
    }

    [Fact]
    public async Task Without_a_password_the_kept_entry_keeps_its_pull_secrets_with_the_password_they_hold()
    {
        await Deploy("First-Passw0rd", "--pull-secret-namespaces=apps");
        pipeline.Server.ForgetRequests();

        var kept = await pipeline.RunAsync(["--host=registry.example.com", "--smoke-test=false", "--pull-secret-namespaces=apps,jobs"], []);

        Assert.True(kept.ExitCode == 0, kept.Output);
        Assert.Equal("First-Passw0rd", PullSecret.LoginFor(SecretText("jobs", "docker-registry-pull-secret", ".dockerconfigjson"), "registry.example.com")!.Password.Reveal());
        Assert.DoesNotContain(pipeline.Server.ClusterWrites, request => request.Path.Contains("/namespaces/apps/", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Without_a_password_and_without_a_copy_that_holds_it_the_run_says_what_to_set()
    {
        await Deploy("First-Passw0rd");

        var run = await pipeline.RunAsync(["--host=registry.example.com", "--smoke-test=false", "--pull-secret-namespaces=apps"], []);

        Assert.Equal(1, run.ExitCode);
        Assert.Contains("pull-secret-namespaces needs user admin's password for the pull secrets, but this run does not know it", run.Output);
        Assert.Contains("Set $REGISTRY_PASSWORD or password-file to admin's password", run.Output);
        Assert.Null(pipeline.Server.Store.Get(Secret, "apps", "docker-registry-pull-secret"));
    }

    [Fact]
    public async Task A_namespace_that_does_not_exist_is_a_clear_error_before_anything_is_written()
    {
        var run = await Deploy("First-Passw0rd", "--pull-secret-namespaces=apps,payments");

        Assert.Equal(2, run.ExitCode);
        Assert.Contains(
            "pull-secret-namespaces: 'apps,payments' (from the command line) names a namespace the cluster does not have (payments); expected existing namespaces: the pipeline gives them a pull secret but never creates them",
            run.Output);
        Assert.Empty(pipeline.Server.ClusterWrites);
        Assert.Null(pipeline.Server.Store.Get(ResourceCatalogue.OfKind("v1", "Namespace"), null, "payments"));
    }

    [Fact]
    public async Task With_a_users_file_the_pull_secret_user_must_be_one_of_its_users()
    {
        var users = Path.Combine(pipeline.Cluster.Directory, "users.txt");
        await File.WriteAllTextAsync(users, "alice:Alice-Passw0rd\nci:Ci-Passw0rd\n");

        var unnamed = await pipeline.RunAsync(["--host=registry.example.com", $"--users-file={users}", "--pull-secret-namespaces=apps"], []);
        var named = await pipeline.RunAsync(["--host=registry.example.com", "--smoke-test=false", $"--users-file={users}", "--pull-secret-namespaces=apps", "--pull-secret-user=ci"], []);

        Assert.Equal(2, unnamed.ExitCode);
        Assert.Contains("pull-secret-user: is required with users-file; expected the user of users.txt the pull secrets log in as, one of alice, ci", unnamed.Output);
        Assert.True(named.ExitCode == 0, named.Output);
        Assert.Equal("ci", PullSecret.LoginFor(SecretText("apps", "docker-registry-pull-secret", ".dockerconfigjson"), "registry.example.com")!.User);
    }

    private Task<HostRun> Deploy(string password, params string[] args) =>
        pipeline.RunAsync(["--host=registry.example.com", "--smoke-test=false", .. args], new Dictionary<string, string> { ["REGISTRY_PASSWORD"] = password });

    private string SecretText(string ns, string name, string key) =>
        Encoding.UTF8.GetString(Convert.FromBase64String(pipeline.Server.Store.Get(Secret, ns, name)!["data"]![key]!.GetValue<string>()));

    private JsonObject Account(string ns) => pipeline.Server.Store.Get(ServiceAccount, ns, "default")!;
}
