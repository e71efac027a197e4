using Cake.Core;
using Microsoft.Extensions.DependencyInjection;
using Registry.Build.Host;

namespace Registry.Build.Tests.Fixtures;

/// <summary>A whole run of a host, in-process: its exit code and its transcript.</summary>
public sealed record HostRun(int ExitCode, string Output)
{
    /// <summary>Runs through our extensions (<see cref="RegistryHostExtensions.RunWithExitCode"/>), as <c>Program.cs</c> does.</summary>
    public static Task<HostRun> Of(
        CakeHost host, IEnumerable<string> args, IReadOnlyDictionary<string, string>? environment = null, string? workingDirectory = null) =>
        Of(host, args, environment, workingDirectory, (host, args) => host.RunWithExitCode(args));

    /// <summary>Runs through Frosting's own <see cref="CakeHost.Run"/>: 0 or -1.</summary>
    public static Task<HostRun> OfFrosting(CakeHost host, params string[] args) => Of(host, args, null, null, (host, args) => host.Run(args));

    private static async Task<HostRun> Of(
        CakeHost host, IEnumerable<string> args, IReadOnlyDictionary<string, string>? environment, string? workingDirectory, Func<CakeHost, IEnumerable<string>, int> run)
    {
        var console = new CapturedConsole();
        host.ConfigureServices(services => services
            .AddSingleton<IConsole>(console)
            .AddSingleton(console.Ansi)
            .AddSingleton<ICakeEnvironment>(new TestEnvironment(
                environment ?? new Dictionary<string, string>(),
                workingDirectory ?? Directory.GetCurrentDirectory())));
        // Frosting runs synchronously; off the test framework's synchronisation context, its waits cannot deadlock.
        var exitCode = await Task.Run(() => run(host, args));
        return new HostRun(exitCode, console.Text);
    }

    /// <summary>The report's row for a task, as printed at the end of the run.</summary>
    public string? ReportRow(string task) => Output
        .Split('\n')
        .Select(line => line.Trim())
        .LastOrDefault(line => line.StartsWith(task + " ", StringComparison.Ordinal));
}
