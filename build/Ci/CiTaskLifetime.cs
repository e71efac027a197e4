using Cake.Core;
using Registry.Build.Host;

namespace Registry.Build.Ci;

/// <summary>Each task a collapsible group in the CI log, a failed one an error annotation, and each row of the summary page.</summary>
public sealed class CiTaskLifetime(SkipReasons skipReasons, RunSummary summary) : FrostingTaskLifetime<BuildContext>
{
    public override void Setup(BuildContext context, ITaskSetupContext info) => CiLog.BeginGroup(context, info.Task.Name);

    public override void Teardown(BuildContext context, ITaskTeardownContext info)
    {
        CiLog.EndGroup(context);
        var name = info.Task.Name;
        if (!info.Successful)
        {
            CiLog.Error(context, name, info.ThrownException?.Message ?? "failed");
            summary.Add(name, info.Duration, "Failed");
        }
        else
        {
            summary.Add(name, info.Duration, skipReasons.For(name) is { } reason ? $"Skipped: {reason}" : "Executed");
        }
    }
}
