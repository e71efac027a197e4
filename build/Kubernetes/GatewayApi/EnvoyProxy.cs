using System.Text.Json.Nodes;
using k8s;
using k8s.Models;

namespace Registry.Build.Kubernetes.GatewayApi;

/// <summary>An Envoy Gateway EnvoyProxy: how Envoy Gateway runs the proxy of a Gateway that names it (its Service, its Deployment); its spec is kept as JSON, as written in its k8s/ template.</summary>
[KubernetesEntity(Group = "gateway.envoyproxy.io", ApiVersion = "v1alpha1", Kind = "EnvoyProxy", PluralName = "envoyproxies")]
public sealed class EnvoyProxy : IKubernetesObject<V1ObjectMeta>
{
    public string ApiVersion { get; set; } = "gateway.envoyproxy.io/v1alpha1";

    public string Kind { get; set; } = "EnvoyProxy";

    public V1ObjectMeta Metadata { get; set; } = new();

    public JsonObject? Spec { get; set; }
}
