namespace Registry.Build.Settings;

/// <summary>
/// The object store's keys, the Redis password and the proxy's upstream login, read from the environment or files when the settings are.
/// They reach the registry only through its storage Secret; a key not given here is kept as the cluster has it.
/// </summary>
public sealed record StoreSecrets
{
    public Secret? S3AccessKey { get; init; }

    public Secret? S3SecretKey { get; init; }

    /// <summary>The JSON key file of a GCS service account, whole.</summary>
    public Secret? GcsKey { get; init; }

    public Secret? AzureAccountKey { get; init; }

    public Secret? RedisPassword { get; init; }

    /// <summary>mode=proxy: the upstream registry's login.</summary>
    public Secret? ProxyUsername { get; init; }

    public Secret? ProxyPassword { get; init; }

    /// <summary>Each one given, by the name of the secret input it came from (gcs-key-file for the key file).</summary>
    public IEnumerable<(string Name, Secret Value)> Given =>
        new[] { ("s3-access-key", S3AccessKey), ("s3-secret-key", S3SecretKey), ("gcs-key-file", GcsKey), ("azure-account-key", AzureAccountKey), ("redis-password", RedisPassword), ("proxy-username", ProxyUsername), ("proxy-password", ProxyPassword) }
            .Where(pair => pair.Item2 is not null)
            .Select(pair => (pair.Item1, pair.Item2!));

    public IEnumerable<Secret> All => Given.Select(pair => pair.Value);
}
