using System.Text.Json.Nodes;
using k8s;
using k8s.Models;

namespace Registry.Build.Kubernetes.GatewayApi;

/// <summary>A gateway.networking.k8s.io/v1 Gateway: listeners where the registry is served; its spec is kept as JSON, as written in its k8s/ template.</summary>
[KubernetesEntity(Group = "gateway.networking.k8s.io", ApiVersion = "v1", Kind = "Gateway", PluralName = "gateways")]
public sealed class Gateway : IKubernetesObject<V1ObjectMeta>
{
    public string ApiVersion { get; set; } = "gateway.networking.k8s.io/v1";

    public string Kind { get; set; } = "Gateway";

    public V1ObjectMeta Metadata { get; set; } = new();

    public JsonObject? Spec { get; set; }
}
