using Cake.Core;

namespace Registry.Build.Host;

/// <summary>What the host needs from a task, whatever its context type and whether it runs synchronously.</summary>
public interface IFrostingTask
{
    /// <summary>Why the last <see cref="ShouldRun"/> said no; null when it said yes.</summary>
    string? SkipReason { get; }

    bool ShouldRun(ICakeContext context);

    Task RunAsync(ICakeContext context);

    void OnError(Exception exception, ICakeContext context);

    void Finally(ICakeContext context);
}
