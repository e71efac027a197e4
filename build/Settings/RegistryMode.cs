namespace Registry.Build.Settings;

/// <summary>What the registry is for.</summary>
public enum RegistryMode
{
    /// <summary>A private registry: images are pushed to it and pulled from it.</summary>
    Registry,

    /// <summary>A pull-through cache of proxy-remote-url (Docker Hub, or any registry): pulls only, never a push.</summary>
    Proxy,
}
