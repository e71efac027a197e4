using System.Text.Json.Nodes;
using k8s;
using k8s.Models;

namespace Registry.Build.Kubernetes.CertManager;

/// <summary>A cert-manager.io/v1 Issuer; its spec is kept as JSON, as written in its k8s/ template.</summary>
[KubernetesEntity(Group = "cert-manager.io", ApiVersion = "v1", Kind = "Issuer", PluralName = "issuers")]
public sealed class Issuer : IKubernetesObject<V1ObjectMeta>
{
    public string ApiVersion { get; set; } = "cert-manager.io/v1";

    public string Kind { get; set; } = "Issuer";

    public V1ObjectMeta Metadata { get; set; } = new();

    public JsonObject? Spec { get; set; }
}
