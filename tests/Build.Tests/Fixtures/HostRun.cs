using Cake.Core;
using Microsoft.Extensions.DependencyInjection;
using Registry.Build.Host;

namespace Registry.Build.Tests.Fixtures;

/// <summary>A whole run of a host, in-process: its exit code and its transcript.</summary>
public sealed record HostRun(int ExitCode, string Output)
{
    public static async Task<HostRun> Of(
        CakeHost host, IEnumerable<string> args, IReadOnlyDictionary<string, string>? environment = null, string? workingDirectory = null)
    {
        var console = new CapturedConsole();
        host.ConfigureServices(services => services
            .AddSingleton<IConsole>(console)
            .AddSingleton(console.Ansi)
            .AddSingleton<ICakeEnvironment>(new TestEnvironment(
                environment ?? new Dictionary<string, string>(),
                workingDirectory ?? Directory.GetCurrentDirectory())));
        var exitCode = await host.RunAsync(args);
        return new HostRun(exitCode, console.Text);
    }

    /// <summary>The report's row for a task, as printed at the end of the run.</summary>
    public string? ReportRow(string task) => Output
        .Split('\n')
        .Select(line => line.Trim())
        .LastOrDefault(line => line.StartsWith(task + " ", StringComparison.Ordinal));
}
