using System.Security.Cryptography.X509Certificates;
using System.Text;
using Cake.Core;
using Registry.Build.Kubernetes;
using Registry.Build.Registry.Oci;
using Registry.Build.Settings;
using Registry.Build.Tls;

namespace Registry.Build.Registry;

/// <summary>The registry's API as the run reaches it from the runner, for the steps that work through it: its address and whom to trust there.</summary>
public sealed class RegistryEndpoint(RegistrySettings settings, Uri url, RegistryTrust trust, string step)
{
    /// <param name="step">The step that needs it, for the message when it cannot.</param>
    public static async Task<RegistryEndpoint> OpenAsync(RegistrySettings settings, KubernetesApi api, string step, CancellationToken cancellationToken)
    {
        var url = settings.RegistryAddress
            ?? throw new CakeException($"{step} works through the registry's API: set host (or registry-url) to where it is served.");
        // tls=selfsigned: the private CA from the cluster, so a runner that did not deploy (a nightly GC) trusts it too.
        var ca = settings.Tls == TlsMode.Selfsigned ? await PrivateCa.ReadAsync(api, settings, cancellationToken) : null;
        return new RegistryEndpoint(settings, url, new RegistryTrust(ca is null ? null : X509Certificate2.CreateFromPem(Encoding.ASCII.GetString(ca)), settings.InsecureSkipTlsVerify), step);
    }

    /// <summary>A client logged in as <paramref name="login"/>; null is the user whose password this run does not know.</summary>
    public RegistryClient LogIn(Credential? login) => login is null
        ? throw new CakeException(
            $"{step} logs in to {url} as user {settings.User}, whose password this run does not know (its htpasswd entry was kept, and no generated password is kept in the cluster): " +
            "set $REGISTRY_PASSWORD or password-file to it.")
        : new RegistryClient(url, login, trust);
}
