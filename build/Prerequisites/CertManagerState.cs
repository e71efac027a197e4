namespace Registry.Build.Prerequisites;

/// <summary>Whether cert-manager is installed, and if not, what is missing.</summary>
public sealed record CertManagerState(IReadOnlyList<string> Missing)
{
    public bool Installed => Missing.Count == 0;

    public string Describe() => Installed
        ? "cert-manager is installed: its 6 CRDs are established and its 3 Deployments available"
        : "cert-manager is not installed: " + string.Join("; ", Missing);
}
