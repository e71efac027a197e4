namespace Registry.Build.Prerequisites;

/// <summary>Whether cert-manager is installed, and if not, what is missing.</summary>
public sealed record CertManagerState(IReadOnlyList<string> Missing)
{
    public bool Installed => Missing.Count == 0;

    /// <summary>Its controller was started with Gateway API support, which ACME http01 through a Gateway needs.</summary>
    public bool GatewayApi { get; init; }

    /// <summary>Its controller's Deployment, when there is one.</summary>
    public Kubernetes.ResourceAddress? Controller { get; init; }

    public string Describe() => Installed
        ? "cert-manager is installed: its 6 CRDs are established and its 3 Deployments available"
        : "cert-manager is not installed: " + string.Join("; ", Missing);
}
