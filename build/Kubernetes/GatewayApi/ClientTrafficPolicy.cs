using System.Text.Json.Nodes;
using k8s;
using k8s.Models;

namespace Registry.Build.Kubernetes.GatewayApi;

/// <summary>An Envoy Gateway ClientTrafficPolicy: how Envoy treats clients of a Gateway (timeouts, buffers); its spec is kept as JSON, as written in its k8s/ template.</summary>
[KubernetesEntity(Group = "gateway.envoyproxy.io", ApiVersion = "v1alpha1", Kind = "ClientTrafficPolicy", PluralName = "clienttrafficpolicies")]
public sealed class ClientTrafficPolicy : IKubernetesObject<V1ObjectMeta>
{
    public string ApiVersion { get; set; } = "gateway.envoyproxy.io/v1alpha1";

    public string Kind { get; set; } = "ClientTrafficPolicy";

    public V1ObjectMeta Metadata { get; set; } = new();

    public JsonObject? Spec { get; set; }
}
