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
    public override string ToString() => Action switch
    {
        ApplyAction.Created => $"{Address}: created",
        ApplyAction.Updated => $"{Address}: updated {string.Join(", ", ChangedFields)}",
        _ => $"{Address}: unchanged",
    };
}
