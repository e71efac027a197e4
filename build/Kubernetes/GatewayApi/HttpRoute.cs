using System.Text.Json.Nodes;
using k8s;
using k8s.Models;

namespace Registry.Build.Kubernetes.GatewayApi;

/// <summary>A gateway.networking.k8s.io/v1 HTTPRoute: the registry's host to its Service; its spec is kept as JSON, as written in its k8s/ template.</summary>
[KubernetesEntity(Group = "gateway.networking.k8s.io", ApiVersion = "v1", Kind = "HTTPRoute", PluralName = "httproutes")]
public sealed class HttpRoute : IKubernetesObject<V1ObjectMeta>
{
    public string ApiVersion { get; set; } = "gateway.networking.k8s.io/v1";

    public string Kind { get; set; } = "HTTPRoute";

    public V1ObjectMeta Metadata { get; set; } = new();

    public JsonObject? Spec { get; set; }
}
