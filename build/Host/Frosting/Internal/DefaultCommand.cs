using Cake.Cli;
using Cake.Cli.Infrastructure;
using Cake.Core;
using Cake.Core.Diagnostics;
using Cake.Core.IO;
using Cake.Core.Packaging;
using Cake.Core.Scripting;
using Microsoft.Extensions.DependencyInjection;
using Spectre.Console.Cli;

namespace Cake.Frosting.Internal;

/// <summary>
/// The one command: builds the services with the arguments, then shows the version, or runs the targets through the
/// script host the options ask for (dry run, tree, descriptions, or a real run). Any failure is logged and ends in -1.
/// </summary>
internal sealed class DefaultCommand(IServiceCollection services) : Command<DefaultCommandSettings>
{
    public override int Execute(CommandContext context, DefaultCommandSettings settings, CancellationToken cancellationToken)
    {
        services.AddSingleton<ICakeArguments>(context.Remaining.ToCakeArguments(settings.Targets));
        services.AddSingleton(context.Remaining);
        var provider = services.BuildServiceProvider();
        try
        {
            if (settings.Version)
            {
                provider.GetRequiredService<VersionFeature>().Run(provider.GetRequiredService<IConsole>());
                return 0;
            }

            if (settings.Info)
            {
                provider.GetRequiredService<InfoFeature>().Run(provider.GetRequiredService<IConsole>());
                return 0;
            }

            provider.GetRequiredService<ICakeLog>().Verbosity = settings.Verbosity;
            UseWorkingDirectory(provider, settings.WorkingDirectory);
            var graph = TaskGraphFor(provider, settings);
            InstallTools(provider);
            if (settings.Exclusive)
            {
                graph.Settings.UseExclusiveTarget();
            }

            graph.Run(settings.Targets);
        }
        catch (Exception exception)
        {
            provider.GetRequiredService<ICakeLog>().LogException(exception);
            return -1;
        }

        return 0;
    }

    private static void UseWorkingDirectory(IServiceProvider provider, DirectoryPath? fromCommandLine)
    {
        var environment = provider.GetRequiredService<ICakeEnvironment>();
        var directory = (fromCommandLine ?? provider.GetService<WorkingDirectory>()?.Path)?.MakeAbsolute(environment) ?? environment.WorkingDirectory;
        if (!provider.GetRequiredService<IFileSystem>().Exist(directory))
        {
            throw new FrostingException($"The working directory '{directory.FullPath}' does not exist.");
        }

        environment.WorkingDirectory = directory;
    }

    private static TaskGraph TaskGraphFor(IServiceProvider provider, DefaultCommandSettings settings)
    {
        IScriptHost host = settings switch
        {
            { DryRun: true } => provider.GetRequiredService<DryRunScriptHost<IFrostingContext>>(),
            { Tree: true } => provider.GetRequiredService<TreeScriptHost>(),
            { Description: true } => provider.GetRequiredService<DescriptionScriptHost>(),
            _ => provider.GetRequiredService<BuildScriptHost<IFrostingContext>>(),
        };
        return new TaskGraph(
            host,
            provider.GetRequiredService<ICakeEngine>(),
            provider.GetRequiredService<IFrostingContext>(),
            provider.GetRequiredService<ICakeLog>(),
            provider.GetServices<IFrostingTask>(),
            provider.GetService<IFrostingSetup>(),
            provider.GetService<IFrostingTeardown>(),
            provider.GetService<IFrostingTaskSetup>(),
            provider.GetService<IFrostingTaskTeardown>());
    }

    private static void InstallTools(IServiceProvider provider)
    {
        var tools = provider.GetServices<PackageReference>().ToList();
        if (tools.Count == 0)
        {
            return;
        }

        // Asked for only now: the package installers load the NuGet client, which a run without tools never needs.
        var installer = provider.GetRequiredService<IToolInstaller>();
        provider.GetRequiredService<ICakeLog>().Verbose("Installing tools...");
        foreach (var tool in tools)
        {
            installer.Install(tool);
        }
    }
}
