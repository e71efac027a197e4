using System.Text.Json.Nodes;
using Registry.Build.Settings;

namespace Registry.Build.Registry;

/// <summary>
/// The parts of config.yml that follow the store and the cache settings, in the shape of the image's major version.
/// No key or password is ever here: they come from the storage Secret as environment variables (or a mounted file).
/// </summary>
public static class RegistryStorageConfig
{
    /// <summary>The system's CA bundle in the registry:3 image: naming it is what turns TLS to Redis on there.</summary>
    public const string SystemCaBundle = "/etc/ssl/certs/ca-certificates.crt";

    /// <summary>storage.&lt;driver&gt; for the object store.</summary>
    /// <param name="keys">The keys the storage Secret holds (given in this run or kept): they decide how the registry logs in.</param>
    public static JsonObject Store(RegistrySettings settings, IReadOnlyCollection<string> keys) => settings.Storage switch
    {
        StorageBackend.S3 => S3(settings),
        StorageBackend.Gcs => Without(new JsonObject
        {
            ["bucket"] = settings.GcsBucket,
            ["keyfile"] = keys.Contains(StorageSecret.GcsKeyFile) ? $"{StorageSecret.MountPath}/{StorageSecret.GcsKeyFile}" : null,
        }),
        StorageBackend.Azure => Azure(settings, keys.Contains(StorageSecret.AzureAccountKey)),
        _ => throw new InvalidOperationException($"storage {settings.Storage} has no object store settings."),
    };

    private static JsonObject S3(RegistrySettings settings) => Without(new JsonObject
    {
        // Required by both majors even beside an endpoint; stores other than AWS take any name (R2: auto).
        ["region"] = settings.S3Region ?? "us-east-1",
        ["regionendpoint"] = settings.S3Endpoint?.TrimEnd('/'),
        ["bucket"] = settings.S3Bucket,
        ["rootdirectory"] = settings.S3RootDirectory,
        ["encrypt"] = settings.S3Encrypt,
        ["secure"] = settings.S3Secure,
        // registry:3 addresses the bucket in the host name unless told; registry:2 has no such key and uses the path beside an endpoint.
        ["forcepathstyle"] = settings.ImageMajorVersion >= 3 ? settings.S3ForcePathStyle ?? settings.S3Endpoint is not null : null,
    });

    // registry:3's Azure driver must be told how to log in; registry:2 only knew the account key.
    private static JsonObject Azure(RegistrySettings settings, bool accountKey)
    {
        var azure = new JsonObject { ["accountname"] = settings.AzureAccount, ["container"] = settings.AzureContainer, ["realm"] = "core.windows.net" };
        if (settings.ImageMajorVersion >= 3)
        {
            // The account key, when there is one, arrives as REGISTRY_STORAGE_AZURE_ACCOUNTKEY; without one, the pod's identity.
            azure["credentials"] = new JsonObject { ["type"] = accountKey ? "shared_key" : "default_credentials" };
        }

        return azure;
    }

    /// <summary>The top-level redis section: v2's one addr and pool, or v3's go-redis options with addrs and tls.</summary>
    public static JsonObject Redis(RegistrySettings settings)
    {
        RedisAddress.TryParse(settings.RedisUrl!, out var address, out _);
        var redis = new JsonObject();
        if (settings.ImageMajorVersion >= 3)
        {
            // go-redis' options, read from the environment (the password) since 3.1.
            redis["addrs"] = new JsonArray(address!.Endpoint);
            redis["db"] = address.Database;
            redis["dialtimeout"] = "5s";
            redis["readtimeout"] = "5s";
            redis["writetimeout"] = "5s";
            redis["poolsize"] = 64;
            if (address.Tls)
            {
                redis["tls"] = new JsonObject { ["rootcas"] = new JsonArray(SystemCaBundle) };
            }
        }
        else
        {
            redis["addr"] = address!.Endpoint;
            redis["db"] = address.Database;
            redis["dialtimeout"] = "5s";
            redis["readtimeout"] = "5s";
            redis["writetimeout"] = "5s";
            redis["pool"] = new JsonObject { ["maxidle"] = 16, ["maxactive"] = 64, ["idletimeout"] = "300s" };
        }

        return redis;
    }

    private static JsonObject Without(JsonObject parameters)
    {
        foreach (var key in parameters.Where(pair => pair.Value is null).Select(pair => pair.Key).ToList())
        {
            parameters.Remove(key);
        }

        return parameters;
    }
}
