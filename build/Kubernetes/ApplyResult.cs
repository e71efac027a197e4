namespace Registry.Build.Kubernetes;

public enum ApplyAction
{
    Unchanged,
    Created,
    Updated,
}

/// <summary>What applying one object did, or (for a plan) would do, and which managed fields differed.</summary>
public sealed record ApplyResult(ResourceAddress Address, ApplyAction Action, IReadOnlyList<string> ChangedFields)
{
    /// <summary>The object as it was read before the apply; null when it did not exist.</summary>
    public System.Text.Json.Nodes.JsonObject? Live { get; init; }

    public override string ToString() => Action switch
    {
        ApplyAction.Created => $"{Address}: created",
        ApplyAction.Updated => $"{Address}: updated {string.Join(", ", ChangedFields)}",
        _ => $"{Address}: unchanged",
    };
}
