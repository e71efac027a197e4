namespace Registry.Build.Prerequisites;

/// <summary>What the cluster has for an ingress class: the class, the controller behind it, and its external address.</summary>
public sealed record IngressControllerState(string IngressClass, string? Controller, string? Deployment, bool Ready, string? ExternalAddress)
{
    /// <summary>What ingress-nginx's IngressClass (its chart's and minikube's addon's) names as its controller.</summary>
    public const string IngressNginxController = "k8s.io/ingress-nginx";

    public bool ClassExists => Controller is not null;

    /// <summary>The class names a controller this pipeline cannot look for (not ingress-nginx or Traefik): taken on trust.</summary>
    public bool Trusted { get; init; }

    /// <summary>The controller is exposed by a Service of type LoadBalancer, whose address may still be coming.</summary>
    public bool BehindLoadBalancer { get; init; }

    /// <summary>The Secret (namespace/name) ingress-nginx answers with when a client names no server; null when unset or not ingress-nginx.</summary>
    public string? DefaultCertificate { get; init; }

    /// <summary>
    /// A client that connects to an IP sends no server name, so the controller answers with its default certificate:
    /// for an IP host that must be the registry's. A controller the pipeline cannot look into is trusted.
    /// </summary>
    public bool AnswersIpHostWithOther(Settings.RegistrySettings settings) =>
        settings.HostIsAddress && Ready && !Trusted && DefaultCertificate != $"{settings.Namespace}/{settings.TlsSecret}";

    public string Describe() => (ClassExists, Deployment, Ready) switch
    {
        (true, _, _) when Trusted => $"IngressClass {IngressClass} exists; its controller {Controller} is not one this pipeline knows how to check, so it is trusted to serve the class",
        (false, _, _) => $"there is no IngressClass {IngressClass}",
        (true, null, _) => $"IngressClass {IngressClass} exists, but no Deployment or DaemonSet of its controller ({Controller}) was found",
        (true, _, false) => $"IngressClass {IngressClass} exists, but its controller {Deployment} is not available",
        _ => $"IngressClass {IngressClass} exists and its controller {Deployment} is available",
    };
}
