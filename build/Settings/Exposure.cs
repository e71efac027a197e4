namespace Registry.Build.Settings;

/// <summary>How the registry is published outside the cluster.</summary>
public enum Exposure
{
    /// <summary>A networking.k8s.io/v1 Ingress, as in the guide.</summary>
    Ingress,

    /// <summary>A Gateway API HTTPRoute on a Gateway: the Ingress API's successor.</summary>
    Gateway,
}
