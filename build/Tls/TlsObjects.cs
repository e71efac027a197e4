using k8s;
using k8s.Models;
using Registry.Build.Kubernetes.CertManager;
using Registry.Build.Manifests;
using Registry.Build.Settings;

namespace Registry.Build.Tls;

/// <summary>The cert-manager objects each <c>tls</c> mode needs, read from their k8s/ templates.</summary>
public sealed class TlsObjects(ManifestTemplates templates)
{
    /// <summary>The Issuer that signs the registry's certificate, preceded by what it needs; in the order they are applied.</summary>
    public IReadOnlyList<IKubernetesObject<V1ObjectMeta>> IssuerChain(RegistrySettings settings)
    {
        var values = ManifestValues.From(settings);
        return settings.Tls switch
        {
            TlsMode.Letsencrypt or TlsMode.LetsencryptStaging => [templates.Load<Issuer>("acme-issuer.yaml", values)],
            TlsMode.Selfsigned =>
            [
                templates.Load<Issuer>("selfsigned-issuer.yaml", values),
                templates.Load<Certificate>("registry-ca-certificate.yaml", values),
                templates.Load<Issuer>("registry-ca-issuer.yaml", values),
            ],
            _ => [],
        };
    }

    public Certificate RegistryCertificate(RegistrySettings settings) =>
        templates.Load<Certificate>("docker-registry-tls-certificate.yaml", ManifestValues.From(settings));
}
