using Registry.Build.Settings;

namespace Registry.Build.Manifests;

/// <summary>What the <c>{{ name }}</c> placeholders in k8s/ are filled with: every setting, and the values worked out from them.</summary>
public static class ManifestValues
{
    public const string LetsEncrypt = "https://acme-v02.api.letsencrypt.org/directory";

    public const string LetsEncryptStaging = "https://acme-staging-v02.api.letsencrypt.org/directory";

    public static IReadOnlyDictionary<string, string> From(RegistrySettings settings)
    {
        var values = SettingDefinition.All
            .Where(setting => setting.TextIn(settings).Length > 0)
            .ToDictionary(setting => setting.Name, setting => setting.TextIn(settings), StringComparer.Ordinal);
        values["issuer"] = IssuerName(settings.Tls);
        if (settings.UsesAcme)
        {
            values["acme-server"] = settings.Tls == TlsMode.Letsencrypt ? LetsEncrypt : LetsEncryptStaging;
        }

        return values;
    }

    /// <summary>The Issuer that signs the registry's certificate in each mode.</summary>
    private static string IssuerName(TlsMode tls) => tls switch
    {
        TlsMode.Letsencrypt or TlsMode.LetsencryptStaging => "letsencrypt",
        TlsMode.Selfsigned => "registry-ca",
        _ => string.Empty,
    };
}
