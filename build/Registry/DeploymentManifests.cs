using k8s;
using k8s.Models;
using Registry.Build.Manifests;
using Registry.Build.Settings;
using Registry.Build.Tls;

namespace Registry.Build.Registry;

/// <summary>The objects one Deploy step applies.</summary>
public sealed record DeploymentStep(string Task, IReadOnlyList<IKubernetesObject<V1ObjectMeta>> Objects);

/// <summary>Every object Deploy applies, by the step that applies it and in Deploy's order: what Plan compares and Render writes.</summary>
public sealed class DeploymentManifests(ManifestTemplates templates, TlsObjects tls, RegistryManifests registry)
{
    public IReadOnlyList<DeploymentStep> Build(RegistrySettings settings, RegistryCredentials credentials)
    {
        var objects = registry.Build(settings, credentials);
        return
        [
            new("Namespace", [templates.Load<V1Namespace>("namespace.yaml", ManifestValues.From(settings))]),
            new("Issuer", tls.IssuerChain(settings)),
            new("Certificate", settings.Tls == TlsMode.ExistingSecret ? [] : [tls.RegistryCertificate(settings)]),
            new("Credentials", objects.Secrets),
            new("RegistryConfig", [objects.Config]),
            new("Storage", [objects.Storage]),
            new("Workload", [objects.Workload]),
            new("Service", [objects.Service]),
            new("Ingress", [objects.Ingress]),
        ];
    }
}
