namespace Registry.Build.Kubernetes;

/// <summary>How often a wait asks the API server again.</summary>
public sealed record WaitPolling(TimeSpan Interval)
{
    public static readonly WaitPolling Default = new(TimeSpan.FromSeconds(2));
}
