using System.Collections.Frozen;

namespace Registry.Build.Host;

/// <summary>Why each skipped task was skipped, by task name, from the tasks themselves.</summary>
public sealed class SkipReasons(IEnumerable<IFrostingTask> tasks)
{
    private readonly Lazy<FrozenDictionary<string, ISkippingTask>> byName = new(() => tasks
        .OfType<ISkippingTask>()
        .ToFrozenDictionary(task => TaskNames.Of(task.GetType()), StringComparer.OrdinalIgnoreCase));

    public string? For(string task) => byName.Value.GetValueOrDefault(task)?.SkipReason;
}
