namespace Registry.Build.Settings;

/// <summary>Which ingress controller serves the registry's Ingress.</summary>
public enum IngressController
{
    /// <summary>ingress-nginx, as in the guide; retired upstream in March 2026.</summary>
    Nginx,

    /// <summary>Traefik, maintained, serving Ingresses and the Gateway API alike: the default for a cluster without a controller.</summary>
    Traefik,

    /// <summary>Use the controller the cluster already has; install nothing.</summary>
    Existing,
}
