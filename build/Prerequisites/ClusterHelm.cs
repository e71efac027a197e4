using Cake.Core;
using Registry.Build.Kubernetes;
using Registry.Build.Settings;
using Registry.Build.Tools.Helm;

namespace Registry.Build.Prerequisites;

/// <summary>Runs helm against the cluster the pipeline is connected to, with the helm the Helm step chose.</summary>
public sealed class ClusterHelm(ClusterConnector connector, HelmInstallation installation, HelmRunner runner, InstalledCharts installed)
{
    /// <summary>Installs or upgrades the release, then records it as the pipeline's (the record is what purge-prerequisites uninstalls).</summary>
    public async Task UpgradeInstallAsync(HelmRelease release, RegistrySettings settings, CancellationToken cancellationToken)
    {
        var helm = installation.Client
            ?? throw new CakeException("No Helm client was chosen: run the Helm step first (it runs unless --exclusive leaves it out).");
        runner.UpgradeInstall(helm, await SettingsAsync(cancellationToken), release, settings.WaitTimeout);
        await installed.RecordAsync(settings, release, cancellationToken);
    }

    public async Task UninstallAsync(string release, string ns, CancellationToken cancellationToken) =>
        runner.Uninstall(installation.Client!, await SettingsAsync(cancellationToken), release, ns);

    public async Task<HelmSettings> SettingsAsync(CancellationToken cancellationToken)
    {
        var cluster = await connector.ConnectAsync(cancellationToken);
        return cluster.Source.InCluster
            ? new HelmSettings()
            : new HelmSettings
            {
                // helm reads a $KUBECONFIG list itself; a single file is passed so helm uses exactly the pipeline's.
                Kubeconfig = cluster.Source.Files.Count == 1 ? cluster.Source.Files[0] : null,
                KubeContext = cluster.Context,
            };
    }
}
