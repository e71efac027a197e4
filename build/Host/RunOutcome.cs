namespace Registry.Build.Host;

/// <summary>
/// An exit code a successful run should end with, for a task whose result is a signal rather than a failure
/// (a plan with pending changes exits 2, as terraform plan -detailed-exitcode does).
/// </summary>
public sealed class RunOutcome
{
    public int? ExitCode { get; set; }
}
