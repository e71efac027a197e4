using System.Reflection;
using Microsoft.Extensions.DependencyInjection;
using Registry.Build.Ci;
using Registry.Build.Host;
using Registry.Build.Kubernetes;
using Registry.Build.LocalCluster;
using Registry.Build.Manifests;
using Registry.Build.Prerequisites;
using Registry.Build.Settings;
using Registry.Build.State;
using Registry.Build.Testing;
using Registry.Build.Tools.Docker;
using Registry.Build.Tools.Helm;
using Registry.Build.Tools.Kind;
using Registry.Build.Tools.Minikube;
using Registry.Build.Tools.Skopeo;
using Registry.Build.Workspace;

namespace Registry.Build;

/// <summary>The registry pipeline on Frosting's host: its context, lifetimes, tasks and services.</summary>
public static class Pipeline
{
    /// <summary>A new host with the pipeline, as <c>Program.cs</c> builds it.</summary>
    public static CakeHost Create() => new CakeHost().UsePipeline();

    /// <summary>
    /// The pipeline's context, lifetimes, extensions and services. Frosting finds the entry assembly's tasks itself;
    /// only a host started from elsewhere (the tests) adds this assembly, or every task would be registered twice.
    /// </summary>
    public static CakeHost UsePipeline(this CakeHost host)
    {
        host
            .UseContext<BuildContext>()
            .UseLifetime<BuildLifetime>()
            .UseTaskLifetime<CiTaskLifetime>()
            .UseRegistryHost()
            .ConfigureServices(Services);
        return Assembly.GetEntryAssembly() == typeof(Pipeline).Assembly ? host : host.AddAssembly(typeof(Pipeline).Assembly);
    }

    private static void Services(IServiceCollection services) => services
        // Frosting registers the context as IFrostingContext only; services that read the settings ask for it by its type.
        .AddSingleton(provider => (BuildContext)provider.GetRequiredService<IFrostingContext>())
        .AddSingleton<IHelpSection, SettingsHelp>()
        .AddSingleton<DebianPackages>()
        .AddSingleton<NpmPackages>()
        .AddSingleton<PowerShellTool>()
        .AddSingleton(provider => provider.GetRequiredService<BuildContext>().Settings)
        .AddSingleton(RetryOptions.Default)
        .AddSingleton(WaitPolling.Default)
        .AddSingleton<ClusterConnector>()
        .AddSingleton<ClusterPrerequisites>()
        .AddSingleton<HostResolver>()
        .AddSingleton(_ => ManifestTemplates.InSourceTree())
        .AddSingleton<HelmRunner>()
        .AddSingleton<HelmDownload>()
        .AddSingleton<HelmLocator>()
        .AddSingleton<HelmInstallation>()
        .AddSingleton(_ => ToolsDirectory.InSourceTree())
        .AddSingleton<ClusterHelm>()
        .AddSingleton<MinikubeRunner>()
        .AddSingleton<KindRunner>()
        .AddSingleton<KindCluster>()
        .AddSingleton<LocalDistributions>()
        .AddSingleton<Declaration>()
        .AddSingleton<RunDesiredState>()
        .AddSingleton<InstalledCharts>()
        .AddSingleton<DockerRunner>()
        .AddSingleton<SkopeoRunner>()
        .AddSingleton<RunLock>()
        .AddSingleton<RunSummary>();
}
