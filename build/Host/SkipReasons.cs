using System.Collections.Concurrent;

namespace Registry.Build.Host;

/// <summary>
/// Why each skipped task was skipped. Cake's criteria carry a fixed message; ours is decided by
/// <c>ShouldRun</c> against the live cluster, so it is kept here for the report.
/// </summary>
public sealed class SkipReasons
{
    private readonly ConcurrentDictionary<string, string> reasons = new(StringComparer.OrdinalIgnoreCase);

    public void Record(string task, string reason) => reasons[task] = reason;

    public string? For(string task) => reasons.GetValueOrDefault(task);
}
