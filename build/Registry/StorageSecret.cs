using Registry.Build.Settings;

namespace Registry.Build.Registry;

/// <summary>
/// Secret docker-registry-storage: each key it may hold (the store's, the Redis password, the proxy's upstream login),
/// the setting it comes from, and where the registry reads it.
/// Only the keys the settings' store and cache use are declared.
/// </summary>
public static class StorageSecret
{
    public const string Name = "docker-registry-storage";

    /// <summary>Where a GCS key file is mounted in the registry's pods.</summary>
    public const string MountPath = "/etc/registry-storage";

    public const string GcsKeyFile = "gcs-key.json";

    public const string AzureAccountKey = "azure-account-key";

    /// <param name="Key">The Secret's key.</param>
    /// <param name="Input">The secret setting it is given as.</param>
    /// <param name="Variable">The registry's environment variable that receives it; null for the GCS key, which is a mounted file.</param>
    public sealed record Entry(string Key, string Input, string? Variable, Func<StoreSecrets, Secret?> Given);

    public static IReadOnlyList<Entry> Entries(RegistrySettings settings)
    {
        var entries = new List<Entry>();
        switch (settings.Storage)
        {
            case StorageBackend.S3:
                entries.Add(new("s3-access-key", "s3-access-key", "REGISTRY_STORAGE_S3_ACCESSKEY", keys => keys.S3AccessKey));
                entries.Add(new("s3-secret-key", "s3-secret-key", "REGISTRY_STORAGE_S3_SECRETKEY", keys => keys.S3SecretKey));
                break;
            case StorageBackend.Gcs:
                entries.Add(new(GcsKeyFile, "gcs-key-file", null, keys => keys.GcsKey));
                break;
            case StorageBackend.Azure:
                entries.Add(new(AzureAccountKey, "azure-account-key", "REGISTRY_STORAGE_AZURE_ACCOUNTKEY", keys => keys.AzureAccountKey));
                break;
        }

        if (settings.RedisUrl is not null)
        {
            entries.Add(new("redis-password", "redis-password", "REGISTRY_REDIS_PASSWORD", keys => keys.RedisPassword));
        }

        if (settings.Mode == RegistryMode.Proxy)
        {
            entries.Add(new("proxy-username", "proxy-username", "REGISTRY_PROXY_USERNAME", keys => keys.ProxyUsername));
            entries.Add(new("proxy-password", "proxy-password", "REGISTRY_PROXY_PASSWORD", keys => keys.ProxyPassword));
        }

        return entries;
    }
}
