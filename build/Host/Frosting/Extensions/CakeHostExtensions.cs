using Cake.Core.Composition;
using Cake.Core.IO;
using Cake.Core.Packaging;

namespace Cake.Frosting;

/// <summary>The host's configuration, each a registration in its service collection.</summary>
public static class CakeHostExtensions
{
    public static CakeHost UseStartup<TStartup>(this CakeHost host)
        where TStartup : IFrostingStartup, new()
    {
        ArgumentNullException.ThrowIfNull(host);
        return host.ConfigureServices(services => new TStartup().Configure(services));
    }

    /// <summary>The context tasks receive; the last one registered is used.</summary>
    public static CakeHost UseContext<TContext>(this CakeHost host)
        where TContext : class, IFrostingContext => host.ConfigureServices(services => services.UseContext<TContext>());

    /// <summary>The run's setup and teardown; the last one registered is used.</summary>
    public static CakeHost UseLifetime<TLifetime>(this CakeHost host)
        where TLifetime : class, IFrostingLifetime => host.ConfigureServices(services => services.UseLifetime<TLifetime>());

    public static CakeHost UseSetup<TSetup>(this CakeHost host)
        where TSetup : class, IFrostingSetup => host.ConfigureServices(services => services.UseSetup<TSetup>());

    public static CakeHost UseTeardown<TTeardown>(this CakeHost host)
        where TTeardown : class, IFrostingTeardown => host.ConfigureServices(services => services.UseTeardown<TTeardown>());

    /// <summary>What runs around every task; the last one registered is used.</summary>
    public static CakeHost UseTaskLifetime<TLifetime>(this CakeHost host)
        where TLifetime : class, IFrostingTaskLifetime => host.ConfigureServices(services => services.UseTaskLifetime<TLifetime>());

    public static CakeHost UseTaskSetup<TSetup>(this CakeHost host)
        where TSetup : class, IFrostingTaskSetup => host.ConfigureServices(services => services.UseTaskSetup<TSetup>());

    public static CakeHost UseTaskTeardown<TTeardown>(this CakeHost host)
        where TTeardown : class, IFrostingTaskTeardown => host.ConfigureServices(services => services.UseTaskTeardown<TTeardown>());

    public static CakeHost UseModule<TModule>(this CakeHost host)
        where TModule : ICakeModule, new() => host.ConfigureServices(services => services.UseModule<TModule>());

    public static CakeHost UsePackageInstaller<TPackageInstaller>(this CakeHost host)
        where TPackageInstaller : class, IPackageInstaller => host.ConfigureServices(services => services.UsePackageInstaller<TPackageInstaller>());

    /// <summary>A tool installed before the first task, such as <c>nuget:?package=GitVersion.Tool&amp;version=6.0.0</c>.</summary>
    public static CakeHost InstallTool(this CakeHost host, Uri uri) => host.ConfigureServices(services => services.UseTool(uri));

    /// <summary>The working directory of the run, relative to the current one; <c>--working</c> overrides it.</summary>
    public static CakeHost UseWorkingDirectory(this CakeHost host, DirectoryPath path) =>
        host.ConfigureServices(services => services.UseWorkingDirectory(path));

    /// <summary>A Cake configuration value, under what cake.config, CAKE_* variables and arguments say.</summary>
    public static CakeHost UseCakeSetting(this CakeHost host, string key, string value) =>
        host.ConfigureServices(services => services.UseCakeSetting(key, value));

    public static CakeHost SetToolPath(this CakeHost host, DirectoryPath path) =>
        host.UseCakeSetting(Internal.FrostingConfigurationValue.ToolPath, path.FullPath);
}
