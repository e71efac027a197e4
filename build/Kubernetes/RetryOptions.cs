namespace Registry.Build.Kubernetes;

/// <summary>How transient API failures are retried: capped exponential backoff with jitter.</summary>
public sealed record RetryOptions
{
    public static readonly RetryOptions Default = new();

    public int MaxRetries { get; init; } = 6;

    public TimeSpan BaseDelay { get; init; } = TimeSpan.FromMilliseconds(500);

    public TimeSpan MaxDelay { get; init; } = TimeSpan.FromSeconds(15);

    /// <summary>Each attempt's own limit, so a server that accepts a connection and never answers is retried too.</summary>
    public TimeSpan AttemptTimeout { get; init; } = TimeSpan.FromSeconds(30);
}
