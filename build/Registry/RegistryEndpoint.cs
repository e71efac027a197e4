using System.Security.Cryptography.X509Certificates;
using System.Text;
using Cake.Core;
using Registry.Build.Kubernetes;
using Registry.Build.Registry.Oci;
using Registry.Build.Settings;
using Registry.Build.Tls;

namespace Registry.Build.Registry;

/// <summary>The registry's API as the run's user reaches it from the runner, for the steps that work through it.</summary>
public static class RegistryEndpoint
{
    /// <param name="step">The step that needs it, for the message when it cannot.</param>
    public static async Task<RegistryClient> ConnectAsync(RegistrySettings settings, Credential? login, KubernetesApi api, string step, CancellationToken cancellationToken)
    {
        var url = settings.RegistryAddress
            ?? throw new CakeException($"{step} works through the registry's API: set host (or registry-url) to where it is served.");
        if (login is null)
        {
            throw new CakeException(
                $"{step} logs in to {url} as user {settings.User}, whose password this run does not know (its htpasswd entry was kept, and no generated password is kept in the cluster): " +
                "set $REGISTRY_PASSWORD or password-file to it.");
        }

        // tls=selfsigned: the private CA from the cluster, so a runner that did not deploy (a nightly GC) trusts it too.
        var ca = settings.Tls == TlsMode.Selfsigned ? await PrivateCa.ReadAsync(api, settings, cancellationToken) : null;
        return new RegistryClient(url, login, new RegistryTrust(ca is null ? null : X509Certificate2.CreateFromPem(Encoding.ASCII.GetString(ca)), settings.InsecureSkipTlsVerify));
    }
}
