namespace Registry.Build.Tests.Fixtures.Kubernetes;

/// <summary>A resource the emulated API server serves.</summary>
public sealed record ResourceType(string Group, string Version, string Plural, string Kind, bool Namespaced)
{
    public string ApiVersion => Group.Length == 0 ? Version : $"{Group}/{Version}";
}

/// <summary>The resources a registry deployment touches: core, apps, networking, RBAC, leases, CRDs, cert-manager's, the Gateway API's and its implementations' policies.</summary>
public static class ResourceCatalogue
{
    public static readonly IReadOnlyList<ResourceType> All =
    [
        new(string.Empty, "v1", "namespaces", "Namespace", false),
        new(string.Empty, "v1", "nodes", "Node", false),
        new(string.Empty, "v1", "configmaps", "ConfigMap", true),
        new(string.Empty, "v1", "secrets", "Secret", true),
        new(string.Empty, "v1", "services", "Service", true),
        new(string.Empty, "v1", "serviceaccounts", "ServiceAccount", true),
        new(string.Empty, "v1", "persistentvolumeclaims", "PersistentVolumeClaim", true),
        new(string.Empty, "v1", "pods", "Pod", true),
        new(string.Empty, "v1", "events", "Event", true),
        new("apps", "v1", "deployments", "Deployment", true),
        new("apps", "v1", "daemonsets", "DaemonSet", true),
        new("batch", "v1", "jobs", "Job", true),
        new("policy", "v1", "poddisruptionbudgets", "PodDisruptionBudget", true),
        new("autoscaling", "v2", "horizontalpodautoscalers", "HorizontalPodAutoscaler", true),
        new("networking.k8s.io", "v1", "ingresses", "Ingress", true),
        new("networking.k8s.io", "v1", "ingressclasses", "IngressClass", false),
        new("apiextensions.k8s.io", "v1", "customresourcedefinitions", "CustomResourceDefinition", false),
        new("rbac.authorization.k8s.io", "v1", "clusterrolebindings", "ClusterRoleBinding", false),
        new("coordination.k8s.io", "v1", "leases", "Lease", true),
        new("cert-manager.io", "v1", "issuers", "Issuer", true),
        new("cert-manager.io", "v1", "clusterissuers", "ClusterIssuer", false),
        new("cert-manager.io", "v1", "certificates", "Certificate", true),
        new("cert-manager.io", "v1", "certificaterequests", "CertificateRequest", true),
        new("acme.cert-manager.io", "v1", "orders", "Order", true),
        new("acme.cert-manager.io", "v1", "challenges", "Challenge", true),
        new("helm.cattle.io", "v1", "helmcharts", "HelmChart", true),
        new("admissionregistration.k8s.io", "v1", "validatingadmissionpolicies", "ValidatingAdmissionPolicy", false),
        new("admissionregistration.k8s.io", "v1", "validatingadmissionpolicybindings", "ValidatingAdmissionPolicyBinding", false),
        new("gateway.networking.k8s.io", "v1", "gatewayclasses", "GatewayClass", false),
        new("gateway.networking.k8s.io", "v1", "gateways", "Gateway", true),
        new("gateway.networking.k8s.io", "v1", "httproutes", "HTTPRoute", true),
        new("gateway.envoyproxy.io", "v1alpha1", "backendtrafficpolicies", "BackendTrafficPolicy", true),
        new("gateway.envoyproxy.io", "v1alpha1", "clienttrafficpolicies", "ClientTrafficPolicy", true),
        new("gateway.envoyproxy.io", "v1alpha1", "envoyproxies", "EnvoyProxy", true),
        new("gateway.nginx.org", "v1alpha1", "clientsettingspolicies", "ClientSettingsPolicy", true),
        new("gateway.nginx.org", "v1alpha1", "proxysettingspolicies", "ProxySettingsPolicy", true),
        new("monitoring.coreos.com", "v1", "servicemonitors", "ServiceMonitor", true),
    ];

    public static ResourceType? Find(string group, string version, string plural) =>
        All.FirstOrDefault(type => type.Group == group && type.Version == version && type.Plural == plural);

    public static ResourceType OfKind(string apiVersion, string kind) =>
        All.FirstOrDefault(type => type.ApiVersion == apiVersion && type.Kind == kind)
        ?? throw new ArgumentException($"The emulated API server does not serve {apiVersion} {kind}.");
}
