using System.Reflection;
using Cake.Cli;
using Cake.Common.Modules;
using Cake.Core;
using Cake.Core.Configuration;
using Cake.Core.Diagnostics;
using Cake.Core.Modules;
using Cake.DotNetTool.Module;
using Cake.Frosting.Internal;
using Cake.NuGet;
using Microsoft.Extensions.DependencyInjection;
using Spectre.Console.Cli;

namespace Cake.Frosting;

/// <summary>
/// The host: finds the task classes of the entry assembly and of every added one, and runs the targets the
/// command line names with Cake's engine. Services registered later replace those registered earlier.
/// </summary>
public sealed class CakeHost
{
    private readonly IServiceCollection services = DefaultServices();
    private readonly List<Assembly?> assemblies = [Assembly.GetEntryAssembly()];

    public static CakeHost Create() => new();

    /// <summary>Adds the task classes of another assembly. The entry assembly's are found without it; adding it again registers every task twice.</summary>
    public CakeHost AddAssembly(Assembly assembly)
    {
        assemblies.Add(assembly);
        return this;
    }

    /// <summary>Calls <paramref name="services"/> at once with the host's service collection.</summary>
    public CakeHost ConfigureServices(Action<IServiceCollection> services)
    {
        services(this.services);
        return this;
    }

    /// <summary>Runs the command line: 0 when the run succeeded, -1 when it did not.</summary>
    public int Run(IEnumerable<string> args)
    {
        foreach (var task in TaskTypes())
        {
            services.AddSingleton(typeof(IFrostingTask), task);
        }

        var registrar = new TypeRegistrar();
        registrar.RegisterInstance(typeof(IServiceCollection), services);
        var app = new CommandApp<DefaultCommand>(registrar);
        app.Configure(config =>
        {
            config.ValidateExamples();
            config.AddExample([]);
            config.AddExample(["--verbosity", "quiet"]);
            config.AddExample(["--tree"]);
        });
        return app.Run(args);
    }

    // Public, concrete task classes only, as reflection over exported types finds them.
    private IEnumerable<Type> TaskTypes() => assemblies
        .OfType<Assembly>()
        .SelectMany(assembly => assembly.GetExportedTypes())
        .Where(type => typeof(IFrostingTask).IsAssignableFrom(type) && type is { IsClass: true, IsAbstract: false });

    private static ServiceCollection DefaultServices()
    {
        var services = new ServiceCollection();
        services.AddSingleton<ICakeLog, CakeBuildLog>();
        services.AddSingleton<IConsole, CakeConsole>();
        services.AddSingleton<ICakeReportPrinter, CakeReportPrinter>();
        services.AddSingleton<ICakeConfiguration, FrostingConfiguration>();

        services.AddSingleton<BuildScriptHost<IFrostingContext>>();
        services.AddSingleton<DryRunScriptHost<IFrostingContext>>();
        services.AddSingleton<TreeScriptHost>();
        services.AddSingleton<DescriptionScriptHost>();

        services.AddSingleton<IVersionResolver, VersionResolver>();
        services.AddSingleton<VersionFeature>();
        services.AddSingleton<InfoFeature>();
        services.AddSingleton<IToolInstaller, ToolInstaller>();

        services.UseModule<CoreModule>();
        services.UseModule<CommonModule>();
        services.UseModule<NuGetModule>();
        services.UseModule<DotNetToolModule>();
        DeferredPackageInstaller.DeferAll(services);

        services.AddSingleton<FrostingContext>();
        services.AddSingleton<IFrostingContext>(provider => provider.GetRequiredService<FrostingContext>());
        return services;
    }
}
