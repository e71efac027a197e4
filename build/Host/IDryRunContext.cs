namespace Registry.Build.Host;

/// <summary>A context that knows it serves a dry run, set by the setup (which Cake runs in a dry run too).</summary>
public interface IDryRunContext
{
    bool IsDryRun { get; }
}
