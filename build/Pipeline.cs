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

/// <summary>The registry pipeline as a host: its context, lifetime, tasks and services.</summary>
public static class Pipeline
{
    public const string DefaultTarget = "Deploy";

    public static CakeHost Create() => new CakeHost()
        .UseContext<BuildContext>()
        .UseLifetime<BuildLifetime>()
        .UseTaskLifetime<CiTaskLifetime>()
        .UseDefaultTarget(DefaultTarget)
        .AddAssembly(typeof(Pipeline).Assembly)
        .ConfigureServices(services => services
            .AddSingleton<IHelpSection, SettingsHelp>()
            .AddSingleton<DebianPackages>()
            .AddSingleton<NpmPackages>()
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
            .AddSingleton<RunSummary>());
}
