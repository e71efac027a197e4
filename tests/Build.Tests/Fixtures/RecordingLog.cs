using Cake.Core.Diagnostics;

namespace Registry.Build.Tests.Fixtures;

/// <summary>A Cake log that keeps what it was told, for tests that read the log a user would read.</summary>
public sealed class RecordingLog : ICakeLog
{
    private readonly List<(LogLevel Level, string Message)> entries = [];

    public Verbosity Verbosity { get; set; } = Verbosity.Diagnostic;

    public IReadOnlyList<(LogLevel Level, string Message)> Entries
    {
        get
        {
            lock (entries)
            {
                return [.. entries];
            }
        }
    }

    public string Text => string.Join(Environment.NewLine, Entries.Select(entry => entry.Message));

    public void Write(Verbosity verbosity, LogLevel level, string format, params object[] args)
    {
        lock (entries)
        {
            entries.Add((level, args.Length == 0 ? format : string.Format(format, args)));
        }
    }
}
