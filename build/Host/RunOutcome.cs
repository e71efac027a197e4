using Cake.Core;

namespace Registry.Build.Host;

/// <summary>
/// The process's exit code, which Frosting reduces to 0 or -1: 2 for a run refused for its command line or settings,
/// 1 for a failed step (or a <see cref="CakeException"/>'s own code), 130 for Ctrl-C, and on success the code a task
/// asked for (a plan with pending changes exits 2, as terraform plan -detailed-exitcode does).
/// </summary>
public sealed class RunOutcome
{
    /// <summary>The run was refused before it started: a bad command line, an unknown target, or bad settings.</summary>
    public const int UsageErrorExitCode = 2;

    /// <summary>What a successful run ends with; null is 0.</summary>
    public int? ExitCode { get; set; }

    /// <summary>The code of the failure that ended the run: in the setup, a task or its criteria.</summary>
    public int? FailureExitCode { get; private set; }

    /// <summary>The engine began the run: the target exists, and the setup started.</summary>
    public bool Started { get; private set; }

    /// <summary>Follows the engine's run, which Frosting does not let a caller see: the engine's events carry what ended it.</summary>
    public ICakeEngine Watch(ICakeEngine engine)
    {
        engine.BeforeSetup += (_, _) => Started = true;
        engine.BeforeTeardown += (_, args) =>
        {
            if (args.TeardownContext.ThrownException is { } exception)
            {
                Failed(exception);
            }
        };
        return engine;
    }

    private void Failed(Exception exception) => FailureExitCode ??= exception switch
    {
        // A failure never ends the process with 0, whatever code an exception carries.
        CakeException { ExitCode: > 0 } cake => cake.ExitCode,
        AggregateException aggregate => aggregate.InnerExceptions.OfType<CakeException>().Select(cake => cake.ExitCode).FirstOrDefault(code => code > 0) is > 0 and var code ? code : 1,
        _ => 1,
    };

    /// <summary>
    /// The exit code for what Frosting returned. A failure before the engine started is the command line's (Frosting's
    /// parser, or a target that does not exist); after it, the failure's own code, or 1.
    /// </summary>
    public int For(int frostingExitCode, bool cancelled) => frostingExitCode switch
    {
        0 => ExitCode ?? 0,
        _ when cancelled => RunCancellation.ExitCode,
        _ => FailureExitCode ?? (Started ? 1 : UsageErrorExitCode),
    };
}
