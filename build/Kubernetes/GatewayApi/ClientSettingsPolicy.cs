using System.Text.Json.Nodes;
using k8s;
using k8s.Models;

namespace Registry.Build.Kubernetes.GatewayApi;

/// <summary>An NGINX Gateway Fabric ClientSettingsPolicy: the request body nginx accepts; its spec is kept as JSON, as written in its k8s/ template.</summary>
[KubernetesEntity(Group = "gateway.nginx.org", ApiVersion = "v1alpha1", Kind = "ClientSettingsPolicy", PluralName = "clientsettingspolicies")]
public sealed class ClientSettingsPolicy : IKubernetesObject<V1ObjectMeta>
{
    public string ApiVersion { get; set; } = "gateway.nginx.org/v1alpha1";

    public string Kind { get; set; } = "ClientSettingsPolicy";

    public V1ObjectMeta Metadata { get; set; } = new();

    public JsonObject? Spec { get; set; }
}
