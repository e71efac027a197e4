using Cake.Core;
using Registry.Build.Kubernetes;
using Registry.Build.Settings;
using Registry.Build.Tools.Helm;

namespace Registry.Build.Prerequisites;

/// <summary>Runs helm against the cluster the pipeline is connected to, with the helm the Helm step chose.</summary>
public sealed class ClusterHelm(ClusterConnector connector, HelmInstallation installation, HelmRunner runner)
{
    public async Task UpgradeInstallAsync(HelmRelease release, RegistrySettings settings, CancellationToken cancellationToken)
    {
        var helm = installation.Client
            ?? throw new CakeException("No Helm client was chosen: run the Helm step first (it runs unless --exclusive leaves it out).");
        if (helm.Major < 3)
        {
            throw new CakeException(
                $"{helm} cannot install today's charts ({release.Chart} is a Helm 3 chart); set helm-version to a Helm 3 or 4 release, such as v4.1.4.");
        }

        runner.UpgradeInstall(helm, await SettingsAsync(cancellationToken), release, settings.WaitTimeout);
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
