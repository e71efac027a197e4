namespace Registry.Build.Host;

/// <summary>A task that says why it skipped, for the report and the CI summary.</summary>
public interface ISkippingTask
{
    /// <summary>Why the last ShouldRun said no; null when it said yes or was not asked.</summary>
    string? SkipReason { get; }
}
