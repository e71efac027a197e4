using Cake.Cli;
using Cake.Core;

namespace Registry.Build.Host;

/// <summary>
/// What a run will do, for a setup that must know: Cake's setup lists the target's dependencies even when --exclusive
/// leaves them out, and runs in a dry run too, while Frosting keeps both switches to itself. Both are read back from
/// the script hosts Frosting registers.
/// </summary>
public sealed class RunScope(BuildScriptHost<IFrostingContext> build, DryRunScriptHost<IFrostingContext> dryRun)
{
    /// <summary>--dryrun: Cake runs the setup and teardown, and no task.</summary>
    public bool IsDryRun => dryRun.Settings.Targets.Any();

    public IReadOnlyList<ICakeTaskInfo> TasksOf(ISetupContext info) => build.Settings.Exclusive ? [info.TargetTask] : [.. info.TasksToExecute];
}
