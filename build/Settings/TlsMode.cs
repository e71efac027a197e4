namespace Registry.Build.Settings;

/// <summary>Where the registry's certificate comes from.</summary>
public enum TlsMode
{
    /// <summary>Let's Encrypt production through an ACME http01 Issuer; needs public DNS.</summary>
    Letsencrypt,

    /// <summary>Let's Encrypt staging: same flow, untrusted certificates, generous rate limits.</summary>
    LetsencryptStaging,

    /// <summary>A private CA made by cert-manager; clients must trust the exported ca.crt.</summary>
    Selfsigned,

    /// <summary>A TLS Secret the user provides (tls-secret).</summary>
    ExistingSecret,
}
