using System.Text;
using System.Text.Json.Nodes;
using Registry.Build.Registry;
using Registry.Build.Registry.Oci;
using Registry.Build.Settings;
using Registry.Build.Tests.Fixtures;
using Registry.Build.Tests.Fixtures.Kubernetes;

namespace Registry.Build.Tests.Tasks;

/// <summary>
/// RotatePassword on an emulated cluster whose registry pod is a real docker-registry that the kubelet gives each new
/// htpasswd in place, as it updates a Secret volume mounted without subPath.
/// </summary>
public sealed class RotatePasswordTaskTests : IAsyncLifetime
{
    private static readonly ResourceType Secret = ResourceCatalogue.OfKind("v1", "Secret");
    private static readonly ResourceType Deployment = ResourceCatalogue.OfKind("apps/v1", "Deployment");
    private readonly TemporaryDirectory claim = new();
    private PipelineOnCluster pipeline = null!;
    private RegistryPods pods = null!;

    public async Task InitializeAsync()
    {
        pipeline = await PipelineOnCluster.ReadyForDeployAsync();
        pipeline.Server.Store.Seed(new JsonObject { ["apiVersion"] = "v1", ["kind"] = "Namespace", ["metadata"] = new JsonObject { ["name"] = "apps" } });
        // No password given: one is generated and kept in Secret docker-registry-password.
        var deployed = await pipeline.RunAsync(["--host=registry.example.com", "--smoke-test=false", "--pull-secret-namespaces=apps"], []);
        Assert.True(deployed.ExitCode == 0, deployed.Output);
        pods = RegistryPods.Follow(pipeline.Server, claim.Path);
    }

    public async Task DisposeAsync()
    {
        await pods.DisposeAsync();
        await pipeline.DisposeAsync();
        claim.Dispose();
    }

    [Fact]
    public async Task A_rotation_rewrites_only_secrets_the_running_pod_takes_the_new_password_and_refuses_the_old_one()
    {
        var old = KeptPassword();
        Assert.True(await LogsInAsync(old));
        var generation = Generation();
        pods.HtpasswdSyncDelay = TimeSpan.FromSeconds(1);
        pipeline.Server.ForgetRequests();

        var run = await Rotate();

        Assert.True(run.ExitCode == 0, run.Output);
        var rotated = KeptPassword();
        Assert.NotEqual(old, rotated);
        Assert.Equal(
            // The new password is kept before the htpasswd takes it; the pull secrets follow once the registry does.
            ["/api/v1/namespaces/docker-registry/secrets/docker-registry-password", "/api/v1/namespaces/docker-registry/secrets/docker-registry-htpasswd", "/api/v1/namespaces/apps/secrets/docker-registry-pull-secret"],
            pipeline.Server.ClusterWrites.Select(request => request.Path));
        // The pod template is untouched, so nothing rolls: the same process took the new htpasswd.
        Assert.Equal(generation, Generation());
        Assert.Equal(1, pods.Starts);
        Assert.Equal(1, pods.HtpasswdSyncs);
        Assert.Contains("does not take user admin's new password yet", run.Output);
        Assert.Contains("The registry takes user admin's new password", run.Output);
        Assert.Contains("The old password is refused (401).", run.Output);
        Assert.True(await LogsInAsync(rotated));
        Assert.False(await LogsInAsync(old));
        var dockerConfig = Encoding.UTF8.GetString(Convert.FromBase64String(
            pipeline.Server.Store.Get(Secret, "apps", "docker-registry-pull-secret")!["data"]![".dockerconfigjson"]!.GetValue<string>()));
        Assert.Equal(rotated, PullSecret.LoginFor(dockerConfig, "registry.example.com")!.Password.Reveal());
        Assert.DoesNotContain(rotated, run.Output);
        Assert.DoesNotContain(old, run.Output);
    }

    [Fact]
    public async Task A_second_deploy_after_a_rotation_keeps_the_new_password_and_writes_nothing()
    {
        Assert.Equal(0, (await Rotate()).ExitCode);
        pipeline.Server.ForgetRequests();

        var run = await pipeline.RunAsync(["--host=registry.example.com", "--smoke-test=false", "--pull-secret-namespaces=apps"], []);

        Assert.True(run.ExitCode == 0, run.Output);
        Assert.Empty(pipeline.Server.ClusterWrites);
    }

    [Fact]
    public async Task The_password_given_is_the_new_one_and_giving_the_current_one_again_rotates_nothing()
    {
        var given = new Dictionary<string, string> { ["REGISTRY_PASSWORD"] = "Given-New-Passw0rd" };
        var first = await Rotate(given);
        Assert.True(first.ExitCode == 0, first.Output);
        Assert.True(await LogsInAsync("Given-New-Passw0rd"));
        pipeline.Server.ForgetRequests();

        var again = await Rotate(given);

        Assert.True(again.ExitCode == 0, again.Output);
        Assert.Contains("already verifies the password given: nothing to rotate", again.Output);
        Assert.Empty(pipeline.Server.ClusterWrites);
    }

    [Fact]
    public async Task A_deploy_with_a_new_password_smoke_tests_once_the_running_pod_has_read_it()
    {
        Assert.True(await LogsInAsync(KeptPassword()));
        pods.HtpasswdSyncDelay = TimeSpan.FromSeconds(1);

        var run = await pipeline.RunAsync(
            ["--host=registry.example.com", $"--registry-url={pods.Address}", "--smoke-cluster-pull=false", "--pull-secret-namespaces=apps"],
            new Dictionary<string, string> { ["REGISTRY_PASSWORD"] = "Deployed-New-Passw0rd" });

        Assert.True(run.ExitCode == 0, run.Output);
        Assert.Contains("does not take user admin's new password yet", run.Output);
        Assert.Contains("User admin logs in.", run.Output);
        Assert.Equal(1, pods.Starts);
    }

    [Fact]
    public async Task Pull_secrets_in_namespaces_the_run_does_not_name_stop_it_before_anything_is_written()
    {
        pipeline.Server.ForgetRequests();

        var run = await pipeline.RunAsync(["--target=RotatePassword", "--host=registry.example.com", $"--registry-url={pods.Address}"], []);

        Assert.Equal(1, run.ExitCode);
        Assert.Contains("This registry's pull secrets are in apps, which pull-secret-namespaces does not name", run.Output);
        Assert.Empty(pipeline.Server.ClusterWrites);
    }

    [Fact]
    public async Task With_users_file_the_file_is_where_passwords_change_and_nothing_is_written()
    {
        var users = Path.Combine(claim.Path, "..", $"users-{Guid.NewGuid():N}.txt");
        await File.WriteAllTextAsync(users, "admin:Some-Passw0rd\n");
        pipeline.Server.ForgetRequests();

        var run = await pipeline.RunAsync(["--target=RotatePassword", "--host=registry.example.com", $"--users-file={users}"], []);
        File.Delete(users);

        Assert.Equal(1, run.ExitCode);
        Assert.Contains("users-file gives every user's password: change it in the file and run Deploy", run.Output);
        Assert.Empty(pipeline.Server.ClusterWrites);
    }

    private Task<HostRun> Rotate(Dictionary<string, string>? environment = null) =>
        pipeline.RunAsync(["--target=RotatePassword", "--host=registry.example.com", $"--registry-url={pods.Address}", "--pull-secret-namespaces=apps", "--wait-timeout=20s"], environment ?? []);

    private string KeptPassword() => Encoding.UTF8.GetString(Convert.FromBase64String(
        pipeline.Server.Store.Get(Secret, "docker-registry", RegistryCredentials.PasswordSecret)!["data"]!["password"]!.GetValue<string>()));

    private long Generation() => pipeline.Server.Store.Get(Deployment, "docker-registry", "docker-registry")!["metadata"]!["generation"]!.GetValue<long>();

    private async Task<bool> LogsInAsync(string password)
    {
        await pods.WaitUntilStartedAsync();

        using var client = new RegistryClient(pods.Address, new Credential("admin", new Secret(password)), new RegistryTrust(null, false));
        return (await client.PingAsync(authenticate: true, CancellationToken.None)).Status == System.Net.HttpStatusCode.OK;
    }
}
