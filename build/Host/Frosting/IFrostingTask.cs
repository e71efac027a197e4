using Cake.Core;

namespace Cake.Frosting;

/// <summary>What the host calls on a task, whatever its context type.</summary>
public interface IFrostingTask
{
    Task RunAsync(ICakeContext context);

    bool ShouldRun(ICakeContext context);

    /// <summary>The message Cake's report shows when <see cref="ShouldRun"/> says no; read once, when the task is registered.</summary>
    string SkippedMessage => string.Empty;

    void OnError(Exception exception, ICakeContext context);

    void Finally(ICakeContext context);
}
