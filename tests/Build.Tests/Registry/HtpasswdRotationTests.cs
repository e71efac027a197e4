using System.Net;
using Registry.Build.Registry;
using Registry.Build.Registry.Oci;
using Registry.Build.Settings;
using Registry.Build.Tests.Fixtures;

namespace Registry.Build.Tests.Registry;

/// <summary>What RotatePassword counts on in the real registry: it reads its htpasswd file again when the file changes.</summary>
public sealed class HtpasswdRotationTests
{
    [Fact]
    public async Task The_running_registry_takes_a_replaced_htpasswd_without_a_restart_and_refuses_the_old_password()
    {
        var settings = new RegistrySettings { Host = "registry.example.com", Password = new Secret("Old-Passw0rd") };
        var pod = await RenderedPod.OfAsync(settings);
        await using var registry = await pod.StartAsync();
        Assert.True(await LogsInAsync(registry, "Old-Passw0rd"));

        // What the kubelet does to a Secret volume mounted as a directory: the file is swapped for one with the new hash.
        registry.ReplaceHtpasswd(Htpasswd.Build([new Credential("admin", new Secret("New-Passw0rd"))], pod.Htpasswd, 10));

        var accepted = false;
        for (var attempt = 0; attempt < 50 && !accepted; attempt++)
        {
            accepted = await LogsInAsync(registry, "New-Passw0rd");
            await Task.Delay(accepted ? 0 : 100);
        }

        Assert.True(accepted, "the registry never took the new password from the replaced file");
        Assert.False(await LogsInAsync(registry, "Old-Passw0rd"));
    }

    private static async Task<bool> LogsInAsync(RealRegistry registry, string password)
    {
        using var client = new RegistryClient(registry.Address, new Credential("admin", new Secret(password)), new RegistryTrust(null, false));
        return (await client.PingAsync(authenticate: true, CancellationToken.None)).Status == HttpStatusCode.OK;
    }
}
