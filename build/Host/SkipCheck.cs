using Cake.Core;
using Cake.Core.Diagnostics;

namespace Registry.Build.Host;

/// <summary>
/// What our task bases add to Frosting's <c>ShouldRun</c>: the reason a task gives for skipping, logged and kept for
/// the report (Frosting's skipped message is fixed when the task is registered), and a target that is already done
/// succeeding (Cake fails a run whose target a criteria skips; for an idempotent step, done is a success).
/// </summary>
internal sealed class SkipCheck
{
    public string? Reason { get; private set; }

    /// <summary>The target said it had nothing to do: Cake was told to run it, and its work and hooks are left out.</summary>
    public bool SkippedAsTarget { get; private set; }

    public bool Skip(string reason)
    {
        Reason = reason;
        return false;
    }

    public bool ShouldRun(Type task, ICakeContext context, Func<bool> check)
    {
        (Reason, SkippedAsTarget) = (null, false);
        // Cake asks the criteria in a dry run too; the run lists every task the target would run, and asks no cluster.
        if (context is IDryRunContext { IsDryRun: true } || check())
        {
            Reason = null;
            return true;
        }

        Reason ??= "its ShouldRun check returned false";
        var name = TaskNames.Of(task);
        context.Log.Information("Skipping {0}: {1}", name, Reason);
        SkippedAsTarget = context.Arguments.GetArguments("target").Contains(name, StringComparer.OrdinalIgnoreCase);
        return SkippedAsTarget;
    }
}
