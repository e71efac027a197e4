using System.Net;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace Registry.Build.Tests.Fixtures;

/// <summary>A private CA and a server certificate it signs for localhost and registry.example.com, as PEM files, like tls=selfsigned makes.</summary>
public sealed class TestCertificates
{
    public TestCertificates(string directory)
    {
        using var caKey = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var caRequest = new CertificateRequest("CN=registry-pipeline test CA", caKey, HashAlgorithmName.SHA256);
        caRequest.CertificateExtensions.Add(new X509BasicConstraintsExtension(true, false, 0, true));
        caRequest.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.KeyCertSign | X509KeyUsageFlags.CrlSign, true));
        using var ca = caRequest.CreateSelfSigned(DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddYears(1));

        using var serverKey = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var serverRequest = new CertificateRequest("CN=localhost", serverKey, HashAlgorithmName.SHA256);
        var names = new SubjectAlternativeNameBuilder();
        names.AddDnsName("localhost");
        // The name the emulated node reaches the registry by when a test needs one that is not loopback.
        names.AddDnsName("registry.example.com");
        names.AddIpAddress(IPAddress.Loopback);
        serverRequest.CertificateExtensions.Add(names.Build());
        serverRequest.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension([new Oid("1.3.6.1.5.5.7.3.1")], false));
        using var server = serverRequest.Create(ca, DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddDays(30), RandomNumberGenerator.GetBytes(8));

        CaPem = ca.ExportCertificatePem();
        ServerCertificate = Path.Combine(directory, "server.crt");
        ServerKey = Path.Combine(directory, "server.key");
        File.WriteAllText(ServerCertificate, server.ExportCertificatePem() + "\n" + CaPem);
        File.WriteAllText(ServerKey, serverKey.ExportECPrivateKeyPem());
    }

    public string CaPem { get; }

    public string ServerCertificate { get; }

    public string ServerKey { get; }
}
