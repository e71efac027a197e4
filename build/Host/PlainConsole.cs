using Cake.Core;

namespace Registry.Build.Host;

/// <summary>
/// Cake's console without colour, for output that lands in a file or a log viewer that shows escape codes
/// as text: Cake's own console colours whenever TERM says the terminal could.
/// </summary>
public sealed class PlainConsole : IConsole
{
    public ConsoleColor ForegroundColor { get; set; }

    public ConsoleColor BackgroundColor { get; set; }

    public bool SupportAnsiEscapeCodes => false;

    /// <summary>
    /// Plain when asked (NO_COLOR), or when the output is redirected to something other than a CI log
    /// viewer that renders colours (GitHub Actions, Azure Pipelines).
    /// </summary>
    public static bool IsWanted(ICakeEnvironment environment) =>
        !string.IsNullOrEmpty(environment.GetEnvironmentVariable("NO_COLOR"))
        || (Console.IsOutputRedirected
            && string.IsNullOrEmpty(environment.GetEnvironmentVariable("GITHUB_ACTIONS"))
            && string.IsNullOrEmpty(environment.GetEnvironmentVariable("TF_BUILD")));

    public void Write(string format, params object[] arg) => Console.Out.Write(Format(format, arg));

    public void WriteLine(string format, params object[] arg) => Console.Out.WriteLine(Format(format, arg));

    public void WriteError(string format, params object[] arg) => Console.Error.Write(Format(format, arg));

    public void WriteErrorLine(string format, params object[] arg) => Console.Error.WriteLine(Format(format, arg));

    public void ResetColor()
    {
    }

    private static string Format(string format, object[] arg) => arg.Length == 0 ? format : string.Format(format, arg);
}
