using System.Reflection;
using Cake.Cli;
using Cake.Core;
using Cake.Core.Configuration;
using Cake.Core.Diagnostics;
using Cake.Core.IO;
using Cake.Core.Scripting;
using Cake.Core.Tooling;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Spectre.Console;

namespace Registry.Build.Host;

/// <summary>
/// The Frosting-shaped entry point: collects task classes, builds Cake's engine and context,
/// and runs the target the command line names with Cake's own script hosts.
/// </summary>
public sealed class CakeHost
{
    /// <summary>The exit code of a run refused for its command line or settings; 1 means a task failed.</summary>
    public const int UsageErrorExitCode = 2;

    private readonly List<Type> taskTypes = [];
    private readonly List<Action<IServiceCollection>> configurations = [];
    private Type contextType = typeof(FrostingContext);
    private Type? lifetimeType;
    private Type? taskLifetimeType;
    private string defaultTarget = "Default";

    public CakeHost UseContext<TContext>()
        where TContext : class, ICakeContext
    {
        contextType = typeof(TContext);
        return this;
    }

    public CakeHost UseLifetime<TLifetime>()
        where TLifetime : class, IFrostingLifetime
    {
        lifetimeType = typeof(TLifetime);
        return this;
    }

    public CakeHost UseTaskLifetime<TLifetime>()
        where TLifetime : class, IFrostingTaskLifetime
    {
        taskLifetimeType = typeof(TLifetime);
        return this;
    }

    public CakeHost UseDefaultTarget(string target)
    {
        defaultTarget = target;
        return this;
    }

    /// <summary>Adds every concrete task class of the assembly.</summary>
    public CakeHost AddAssembly(Assembly assembly) => AddTasks(
        assembly.GetTypes().Where(type => typeof(IFrostingTask).IsAssignableFrom(type) && type is { IsAbstract: false, IsClass: true }));

    public CakeHost AddTasks(params IEnumerable<Type> types)
    {
        taskTypes.AddRange(types.Except(taskTypes));
        return this;
    }

    /// <summary>Registers services for tasks, or replaces the host's own (console, environment) in tests.</summary>
    public CakeHost ConfigureServices(Action<IServiceCollection> configure)
    {
        configurations.Add(configure);
        return this;
    }

    public async Task<int> RunAsync(IEnumerable<string> args)
    {
        CommandLine commandLine;
        try
        {
            commandLine = CommandLine.Parse(args);
        }
        catch (CommandLineException exception)
        {
            using var early = BuildServices(new CommandLine());
            early.GetRequiredService<IConsole>().WriteErrorLine(exception.Message);
            return UsageErrorExitCode;
        }

        await using var services = BuildServices(commandLine);
        var log = services.GetRequiredService<ICakeLog>();
        var cancellation = services.GetRequiredService<RunCancellation>();
        var console = services.GetRequiredService<IConsole>();
        if (commandLine.Version)
        {
            console.WriteLine(VersionText());
            return 0;
        }

        var tasks = taskTypes.Select(TaskInfo.Of).ToList();
        if (commandLine.Help)
        {
            HelpText.Write(console, tasks, defaultTarget, services.GetService<IHelpSection>());
            return 0;
        }

        try
        {
            var target = commandLine.Target ?? defaultTarget;
            var wholeGraph = commandLine.Tree || commandLine.Description;
            if (!wholeGraph && !tasks.Any(task => string.Equals(task.Name, target, StringComparison.OrdinalIgnoreCase)))
            {
                console.WriteErrorLine(
                    $"--target: '{target}' is not a task; expected one of {string.Join(", ", tasks.Select(task => task.Name))}.");
                return UsageErrorExitCode;
            }

            var host = CreateScriptHost(services, commandLine);
            RegisterTasks(services, host, tasks);
            if (commandLine.Exclusive)
            {
                host.Settings.UseExclusiveTarget();
            }

            using var ctrlC = cancellation.ListenForCtrlC(message => log.Warning(message));
            await host.RunTargetAsync(target);
            return services.GetRequiredService<RunOutcome>().ExitCode ?? 0;
        }
        catch (Exception exception)
        {
            // The engine wraps what a task or the setup threw, with the report it has already printed.
            var cause = exception is CakeReportException { InnerException: { } inner } ? inner : exception;
            if (cause is OperationCanceledException && cancellation.IsCancellationRequested)
            {
                log.Error("Cancelled. What was done stays done; the next run picks up from there.");
                return RunCancellation.ExitCode;
            }

            return log.LogException(cause);
        }
    }

    private ScriptHost CreateScriptHost(IServiceProvider services, CommandLine commandLine)
    {
        var engine = services.GetRequiredService<ICakeEngine>();
        // Showing the graph runs nothing, so it needs Cake's context only, not the application's.
        if (commandLine.Tree)
        {
            return new TreeScriptHost(engine, services.GetRequiredService<ICakeContext>(), services.GetRequiredService<IConsole>());
        }

        if (commandLine.Description)
        {
            return new DescriptionScriptHost(engine, services.GetRequiredService<ICakeContext>(), services.GetRequiredService<IAnsiConsole>());
        }

        var context = (ICakeContext)services.GetRequiredService(contextType);
        if (commandLine.DryRun)
        {
            return new DryRunScriptHost(engine, context, services.GetRequiredService<ICakeLog>());
        }

        RegisterLifetime(services, engine, context, commandLine.Exclusive);
        return new BuildScriptHost(
            engine,
            services.GetRequiredService<IExecutionStrategy>(),
            context,
            services.GetRequiredService<ICakeReportPrinter>(),
            services.GetRequiredService<ICakeConfiguration>(),
            services.GetRequiredService<ICakeLog>());
    }

    private void RegisterLifetime(IServiceProvider services, ICakeEngine engine, ICakeContext context, bool exclusive)
    {
        if (taskLifetimeType is not null)
        {
            var taskLifetime = (IFrostingTaskLifetime)services.GetRequiredService(taskLifetimeType);
            engine.RegisterTaskSetupAction(info => taskLifetime.Setup(context, info));
            engine.RegisterTaskTeardownAction(info => taskLifetime.Teardown(context, info));
        }

        if (lifetimeType is null)
        {
            return;
        }

        var lifetime = (IFrostingLifetime)services.GetRequiredService(lifetimeType);
        // Cake lists the target's dependencies as tasks to execute even when --exclusive leaves them out.
        engine.RegisterSetupAction(info => lifetime.Setup(
            context, exclusive ? new SetupContext(context, info.TargetTask, [info.TargetTask]) : info));
        engine.RegisterTeardownAction(info => lifetime.Teardown(context, info));
    }

    private void RegisterTasks(IServiceProvider services, ScriptHost host, IReadOnlyList<TaskInfo> tasks)
    {
        // Resolved when the first task runs: showing the graph never builds the application's context.
        var lazyContext = new Lazy<ICakeContext>(() => (ICakeContext)services.GetRequiredService(contextType));
        var skipReasons = services.GetRequiredService<SkipReasons>();
        var log = services.GetRequiredService<ICakeLog>();
        foreach (var info in tasks)
        {
            var lazyTask = new Lazy<IFrostingTask>(() => (IFrostingTask)services.GetRequiredService(info.Type));
            var builder = host.Task(info.Name).Description(info.Description);
            foreach (var dependency in info.Dependencies)
            {
                builder.IsDependentOn(dependency);
            }

            // ShouldRun is asked when the task's turn comes, not as a Cake criteria: Cake fails a run whose
            // target is skipped, and for an idempotent pipeline "already done" is a success.
            builder
                .Does(async () =>
                {
                    var (task, context) = (lazyTask.Value, lazyContext.Value);
                    if (!task.ShouldRun(context))
                    {
                        skipReasons.Record(info.Name, task.SkipReason!);
                        log.Information($"Skipping {info.Name}: {task.SkipReason}");
                        return;
                    }

                    await task.RunAsync(context);
                })
                // An error reporter, not an error handler: Cake treats a handled error as success,
                // and a failed step must fail the run.
                .ReportError(exception =>
                {
                    try
                    {
                        lazyTask.Value.OnError(exception, lazyContext.Value);
                    }
                    catch (Exception hookFailure)
                    {
                        log.Warning($"{info.Name}: its error hook failed too: {hookFailure.Message}");
                    }
                })
                .Finally(() =>
                {
                    if (skipReasons.For(info.Name) is null)
                    {
                        lazyTask.Value.Finally(lazyContext.Value);
                    }
                });
        }
    }

    private ServiceProvider BuildServices(CommandLine commandLine)
    {
        var services = new ServiceCollection();
        foreach (var configure in configurations)
        {
            configure(services);
        }

        services.TryAddSingleton(commandLine);
        services.TryAddSingleton<SkipReasons>();
        services.TryAddSingleton<RunCancellation>();
        services.TryAddSingleton<RunOutcome>();
        services.TryAddSingleton<IConsole>(provider => provider.GetRequiredService<ICakeEnvironment>() is var environment && PlainConsole.IsWanted(environment)
            ? new PlainConsole()
            : new CakeConsole(environment));
        services.TryAddSingleton(AnsiConsole.Console);
        services.TryAddSingleton<ICakeLog>(provider => new CakeBuildLog(provider.GetRequiredService<IConsole>(), commandLine.Verbosity));
        services.TryAddSingleton<IFileSystem, FileSystem>();
        services.TryAddSingleton<ICakePlatform, CakePlatform>();
        services.TryAddSingleton<ICakeRuntime, CakeRuntime>();
        services.TryAddSingleton<ICakeEnvironment, CakeEnvironment>();
        services.TryAddSingleton<IGlobber, Globber>();
        services.TryAddSingleton<ICakeConfiguration>(new CakeConfiguration(new Dictionary<string, string>()));
        services.TryAddSingleton<IToolRepository, ToolRepository>();
        services.TryAddSingleton<IToolResolutionStrategy, ToolResolutionStrategy>();
        services.TryAddSingleton<IToolLocator, ToolLocator>();
        services.TryAddSingleton<IProcessRunner, ProcessRunner>();
        services.TryAddSingleton<IRegistry, WindowsRegistry>();
        services.TryAddSingleton<ICakeDataService, CakeDataService>();
        services.TryAddSingleton<IToolInstaller>(provider => new ToolInstaller(
            provider.GetRequiredService<ICakeEnvironment>(),
            provider.GetRequiredService<IToolLocator>(),
            provider.GetRequiredService<ICakeConfiguration>(),
            provider.GetRequiredService<ICakeLog>(),
            []));
        services.TryAddSingleton<ICakeArguments>(new CakeArguments(
            commandLine.Arguments.ToLookup(argument => argument.Key, argument => argument.Value, StringComparer.OrdinalIgnoreCase)));
        services.TryAddSingleton<ICakeContext, CakeContext>();
        services.TryAddSingleton(contextType);
        services.TryAddSingleton<ICakeEngine>(provider => new CakeEngine(
            provider.GetRequiredService<ICakeDataService>(), provider.GetRequiredService<ICakeLog>()));
        services.TryAddSingleton<ICakeReportPrinter, TaskReportPrinter>();
        services.TryAddSingleton<IExecutionStrategy, DefaultExecutionStrategy>();
        if (lifetimeType is not null)
        {
            services.TryAddSingleton(lifetimeType);
        }

        if (taskLifetimeType is not null)
        {
            services.TryAddSingleton(taskLifetimeType);
        }

        foreach (var type in taskTypes)
        {
            services.TryAddSingleton(type);
        }

        return services.BuildServiceProvider();
    }

    private static string VersionText()
    {
        var ours = Assembly.GetEntryAssembly() ?? typeof(CakeHost).Assembly;
        return $"{ours.GetName().Name} {Version(ours)} (Cake {Version(typeof(ICakeEngine).Assembly)})";
    }

    private static string Version(Assembly assembly) =>
        assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion.Split('+')[0]
        ?? assembly.GetName().Version?.ToString()
        ?? "unknown";
}
