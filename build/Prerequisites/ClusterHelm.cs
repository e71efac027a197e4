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
        // A release of that name someone else installed (its controller unavailable, so the step wants to install) is
        // theirs to fix: upgrading it would change, and then record as the pipeline's, what is not its own.
        var ours = await installed.OwnsAsync(settings, release, cancellationToken);
        if (!ours && await ReleaseExistsAsync(release, cancellationToken))
        {
            throw new CakeException(
                $"Helm release {release.Name} in namespace {release.Namespace} exists but is not ready, and this pipeline did not install it, so it does not upgrade it. " +
                $"Repair that release (helm status {release.Name} -n {release.Namespace}), or uninstall it to let the pipeline install its own.");
        }

        runner.UpgradeInstall(helm, await SettingsAsync(cancellationToken), release, settings.WaitTimeout);
        await installed.RecordAsync(settings, release, cancellationToken);
    }

    // Helm 3 and 4 keep each release as Secrets labelled owner=helm and name=<release> in its namespace.
    private async Task<bool> ReleaseExistsAsync(HelmRelease release, CancellationToken cancellationToken)
    {
        var api = (await connector.ConnectAsync(cancellationToken)).Api;
        var secrets = await api.ListAsync(ResourceAddress.For<k8s.Models.V1Secret>(release.Namespace), $"owner=helm,name={release.Name}", cancellationToken);
        return secrets["items"]?.AsArray().Count > 0;
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
