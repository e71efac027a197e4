using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using k8s.Models;
using Registry.Build.Kubernetes;
using Registry.Build.Settings;

namespace Registry.Build.Tls;

/// <summary>For <c>tls=existing-secret</c>: the user's TLS Secret must hold a certificate valid now for <c>host</c>.</summary>
public static class ExistingCertificate
{
    /// <returns>Null when the certificate will do; else what is wrong and how to fix it.</returns>
    public static async Task<string?> ProblemAsync(KubernetesApi api, RegistrySettings settings, CancellationToken cancellationToken)
    {
        var where = $"tls-secret {settings.Namespace}/{settings.TlsSecret}";
        var secret = await api.ReadAsync(ResourceAddress.For<V1Secret>(settings.Namespace, settings.TlsSecret), cancellationToken);
        if (secret is null)
        {
            return $"{where} does not exist. Create it (kubectl -n {settings.Namespace} create secret tls {settings.TlsSecret} --cert=FILE --key=FILE) or choose another tls mode.";
        }

        var encoded = secret["data"]?["tls.crt"]?.GetValue<string>();
        if (encoded is null || secret["data"]?["tls.key"] is null)
        {
            return $"{where} has no tls.crt and tls.key; expected a Secret of type kubernetes.io/tls.";
        }

        X509Certificate2 certificate;
        try
        {
            certificate = X509Certificate2.CreateFromPem(Encoding.UTF8.GetString(Convert.FromBase64String(encoded)));
        }
        catch (Exception exception) when (exception is CryptographicException or FormatException or ArgumentException)
        {
            return $"{where}: tls.crt is not a PEM certificate ({exception.Message}).";
        }

        using (certificate)
        {
            // As a TLS client checks it: DNS names with wildcards, IP addresses (an IP host) against the IP SANs.
            if (!certificate.MatchesHostname(settings.Host!))
            {
                return $"{where} holds a certificate for {string.Join(", ", Names(certificate).DefaultIfEmpty("no DNS name or IP address"))}, not for {settings.Host}.";
            }

            var now = DateTime.Now;
            if (certificate.NotAfter < now || certificate.NotBefore > now)
            {
                return $"{where} holds a certificate valid from {certificate.NotBefore:u} to {certificate.NotAfter:u}, not now.";
            }
        }

        return null;
    }

    private static List<string> Names(X509Certificate2 certificate)
    {
        var alternatives = certificate.Extensions.OfType<X509SubjectAlternativeNameExtension>().ToList();
        var names = alternatives.SelectMany(extension => extension.EnumerateDnsNames())
            .Concat(alternatives.SelectMany(extension => extension.EnumerateIPAddresses()).Select(ip => ip.ToString()))
            .ToList();
        if (names.Count == 0 && certificate.GetNameInfo(X509NameType.DnsName, false) is { Length: > 0 } commonName)
        {
            names.Add(commonName);
        }

        return names;
    }
}
