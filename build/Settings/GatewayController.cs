namespace Registry.Build.Settings;

/// <summary>Which Gateway API implementation serves the registry's Gateway; each needs its own settings for large pushes.</summary>
public enum GatewayController
{
    /// <summary>Envoy Gateway: its 15 s default request timeout is lifted by a BackendTrafficPolicy.</summary>
    Envoy,

    /// <summary>Traefik with its Gateway provider: its entrypoints' 60 s read timeout must be raised.</summary>
    Traefik,

    /// <summary>NGINX Gateway Fabric: nginx's 1 MiB body limit is lifted by a ClientSettingsPolicy.</summary>
    NginxFabric,

    /// <summary>A GatewayClass the cluster already has, named by gateway-class; nothing is installed or tuned.</summary>
    Existing,
}
