namespace Registry.Build.Settings;

/// <summary>
/// The object store's keys and the Redis password, read from the environment or files when the settings are.
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

    public IEnumerable<Secret> All => new[] { S3AccessKey, S3SecretKey, GcsKey, AzureAccountKey, RedisPassword }.OfType<Secret>();
}
