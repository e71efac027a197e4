using System.Text.Json.Nodes;
using k8s;
using k8s.Models;

namespace Registry.Build.Kubernetes.GatewayApi;

/// <summary>An Envoy Gateway BackendTrafficPolicy: how Envoy talks to the registry (timeouts); its spec is kept as JSON, as written in its k8s/ template.</summary>
[KubernetesEntity(Group = "gateway.envoyproxy.io", ApiVersion = "v1alpha1", Kind = "BackendTrafficPolicy", PluralName = "backendtrafficpolicies")]
public sealed class BackendTrafficPolicy : IKubernetesObject<V1ObjectMeta>
{
    public string ApiVersion { get; set; } = "gateway.envoyproxy.io/v1alpha1";

    public string Kind { get; set; } = "BackendTrafficPolicy";

    public V1ObjectMeta Metadata { get; set; } = new();

    public JsonObject? Spec { get; set; }
}
