using k8s.Models;

namespace Registry.Build.Registry;

/// <summary>The registry's own objects, as Deploy applies them.</summary>
public sealed record RegistryObjectSet(
    IReadOnlyList<V1Secret> Secrets,
    V1ConfigMap Config,
    V1PersistentVolumeClaim Storage,
    V1Deployment Workload,
    V1Service Service,
    V1Ingress Ingress);
