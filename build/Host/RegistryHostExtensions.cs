using Cake.Core;
using Cake.Core.Diagnostics;
using Microsoft.Extensions.DependencyInjection;
using Spectre.Console;

namespace Registry.Build.Host;

/// <summary>
/// Our extensions to Frosting's host, built only on its public surface: the report with skip reasons, plain output
/// where colours would be noise, exit codes that say what happened, Ctrl-C that stops at the next await, and
/// <c>--help</c> that lists the tasks and settings.
/// </summary>
public static class RegistryHostExtensions
{
    private static readonly HashSet<string> HelpOptions = ["-h", "--help", "-?"];

    /// <summary>
    /// Registers the extensions' services; call before services that replace them (tests replace the console).
    /// <see cref="RunWithExitCode"/> registers the outcome and cancellation it reads over the defaults registered here.
    /// </summary>
    public static CakeHost UseRegistryHost(this CakeHost host) => host.ConfigureServices(services => services
        .AddSingleton<RunOutcome>()
        .AddSingleton<RunCancellation>()
        .AddSingleton<IConsole>(provider => provider.GetRequiredService<ICakeEnvironment>() is var environment && PlainConsole.IsWanted(environment)
            ? new PlainConsole()
            : new CakeConsole(environment))
        .AddSingleton(AnsiConsole.Console)
        .AddSingleton<ICakeReportPrinter, TaskReportPrinter>()
        .AddSingleton(provider => provider.GetRequiredService<RunOutcome>().Watch(
            new CakeEngine(provider.GetRequiredService<ICakeDataService>(), provider.GetRequiredService<ICakeLog>())))
        .AddSingleton<IExecutionStrategy, StoppableExecutionStrategy>()
        .AddSingleton<SkipReasons>()
        .AddSingleton<RunScope>());

    /// <summary>
    /// Runs the command line through Frosting's <see cref="CakeHost.Run"/> and returns the exit code <see cref="RunOutcome"/>
    /// gives: 0, 1, 2 or 130.
    /// </summary>
    public static int RunWithExitCode(this CakeHost host, IEnumerable<string> args)
    {
        var list = args.ToList();
        var outcome = new RunOutcome();
        using var cancellation = new RunCancellation();
        // Frosting hands over its service collection at once; after the run it also holds the tasks it found.
        IServiceCollection registered = new ServiceCollection();
        host.ConfigureServices(services => registered = services.AddSingleton(outcome).AddSingleton(cancellation));

        int exitCode;
        using (cancellation.ListenForCtrlC(message => Console.Error.WriteLine(message)))
        {
            exitCode = host.Run(list);
        }

        if (list.Any(HelpOptions.Contains))
        {
            using var provider = registered.BuildServiceProvider();
            HelpText.Write(
                provider.GetRequiredService<IConsole>(),
                registered.Where(service => service.ServiceType == typeof(IFrostingTask)).Select(service => service.ImplementationType!).Distinct().ToList(),
                provider.GetService<IHelpSection>());
        }

        var result = outcome.For(exitCode, cancellation.IsCancellationRequested);
        if (result == RunCancellation.ExitCode)
        {
            using var provider = registered.BuildServiceProvider();
            provider.GetRequiredService<ICakeLog>().Error("Cancelled. What was done stays done; the next run picks up from there.");
        }

        return result;
    }
}
