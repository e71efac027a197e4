using System.Text.Json.Nodes;
using k8s;
using k8s.Models;

namespace Registry.Build.Kubernetes.Monitoring;

/// <summary>A Prometheus Operator ServiceMonitor: which Service port Prometheus scrapes; its spec is kept as JSON, as written in its k8s/ template.</summary>
[KubernetesEntity(Group = "monitoring.coreos.com", ApiVersion = "v1", Kind = "ServiceMonitor", PluralName = "servicemonitors")]
public sealed class ServiceMonitor : IKubernetesObject<V1ObjectMeta>
{
    public const string Crd = "servicemonitors.monitoring.coreos.com";

    public string ApiVersion { get; set; } = "monitoring.coreos.com/v1";

    public string Kind { get; set; } = "ServiceMonitor";

    public V1ObjectMeta Metadata { get; set; } = new();

    public JsonObject? Spec { get; set; }
}
