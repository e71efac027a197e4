namespace Registry.Build.Tests.Fixtures.Kubernetes;

/// <summary>One request the emulated API server received, as a test counts it.</summary>
public sealed record RecordedRequest(string Method, string Path, string Query, string? ContentType)
{
    public bool DryRun => Query.Contains("dryRun=All", StringComparison.Ordinal);

    /// <summary>A write that changes the cluster: POST, PUT, PATCH or DELETE that is not a dry run.</summary>
    public bool Mutating => Method is "POST" or "PUT" or "PATCH" or "DELETE" && !DryRun;

    public override string ToString() => $"{Method} {Path}{(Query.Length > 0 ? "?" + Query : string.Empty)}";
}
