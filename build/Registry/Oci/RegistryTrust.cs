using System.Net.Security;
using System.Security.Cryptography.X509Certificates;

namespace Registry.Build.Registry.Oci;

/// <summary>
/// Which certificates the smoke test accepts from the registry: the system's trusted roots, plus the private CA
/// of <c>tls=selfsigned</c> when one is given; or, only when asked, any certificate.
/// </summary>
public sealed class RegistryTrust(X509Certificate2? privateCa, bool skipVerify)
{
    /// <summary>Why the last certificate was refused, for the message that says how to fix it.</summary>
    public string? LastRefusal { get; private set; }

    public bool Validate(object sender, X509Certificate? certificate, X509Chain? chain, SslPolicyErrors errors)
    {
        if (skipVerify || errors == SslPolicyErrors.None)
        {
            return true;
        }

        if (privateCa is not null && certificate is not null && errors == SslPolicyErrors.RemoteCertificateChainErrors)
        {
            using var custom = new X509Chain();
            custom.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
            custom.ChainPolicy.CustomTrustStore.Add(privateCa);
            custom.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
            if (custom.Build(new X509Certificate2(certificate)))
            {
                return true;
            }

            LastRefusal = $"it is not signed by the private CA either ({string.Join(", ", custom.ChainStatus.Select(status => status.Status))})";
            return false;
        }

        LastRefusal = errors switch
        {
            SslPolicyErrors.RemoteCertificateNameMismatch => "it was issued for another name",
            SslPolicyErrors.RemoteCertificateChainErrors => $"its issuer is not trusted ({string.Join(", ", chain?.ChainStatus.Select(status => status.Status) ?? [])})",
            _ => errors.ToString(),
        };
        return false;
    }
}
