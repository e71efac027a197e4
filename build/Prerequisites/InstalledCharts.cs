using System.Text.Json;
using System.Text.Json.Nodes;
using Registry.Build.Inventory;
using Registry.Build.Kubernetes;
using Registry.Build.Settings;
using Registry.Build.Tools.Helm;

namespace Registry.Build.Prerequisites;

/// <summary>A chart release this pipeline installed.</summary>
public sealed record InstalledChart(string Release, string Namespace, string Chart, string Version)
{
    public override string ToString() => $"{Release} ({Chart} {Version}) in {Namespace}";
}

/// <summary>
/// The charts this pipeline installed, recorded on the inventory's parent so that purge-prerequisites uninstalls
/// those and never a cert-manager or ingress controller someone else installed. Written as a field manager of its
/// own, so applying the parent (which does not send this field) never drops it.
/// </summary>
public sealed class InstalledCharts(ClusterConnector connector)
{
    public const string FieldManager = "registry-pipeline-charts";

    public async Task<IReadOnlyList<InstalledChart>> ReadAsync(RegistrySettings settings, CancellationToken cancellationToken)
    {
        var api = (await connector.ConnectAsync(cancellationToken)).Api;
        return Parse(await api.ReadAsync(new ApplySet(settings.Namespace).ParentAddress, cancellationToken));
    }

    public static IReadOnlyList<InstalledChart> Parse(JsonObject? parent) =>
        parent?["data"]?[ApplySet.ChartsKey]?.GetValue<string>() is { Length: > 0 } json
            ? JsonSerializer.Deserialize<List<InstalledChart>>(json) ?? []
            : [];

    /// <summary>Whether this pipeline installed <paramref name="release"/> (so it may upgrade, restart or uninstall it).</summary>
    public async Task<bool> OwnsAsync(RegistrySettings settings, HelmRelease release, CancellationToken cancellationToken) =>
        (await ReadAsync(settings, cancellationToken)).Any(chart => chart.Release == release.Name && chart.Namespace == release.Namespace);

    public async Task RecordAsync(RegistrySettings settings, HelmRelease release, CancellationToken cancellationToken)
    {
        var charts = (await ReadAsync(settings, cancellationToken)).Where(chart => chart.Release != release.Name || chart.Namespace != release.Namespace).ToList();
        charts.Add(new InstalledChart(release.Name, release.Namespace, release.Chart, release.Version));
        await WriteAsync(settings, charts, cancellationToken);
    }

    public async Task ForgetAsync(RegistrySettings settings, InstalledChart chart, CancellationToken cancellationToken) =>
        await WriteAsync(settings, (await ReadAsync(settings, cancellationToken)).Where(other => other != chart).ToList(), cancellationToken);

    private async Task WriteAsync(RegistrySettings settings, IReadOnlyList<InstalledChart> charts, CancellationToken cancellationToken)
    {
        var api = (await connector.ConnectAsync(cancellationToken)).Api;
        var applySet = new ApplySet(settings.Namespace);
        var record = new JsonObject
        {
            ["apiVersion"] = "v1",
            ["kind"] = "ConfigMap",
            ["metadata"] = new JsonObject { ["name"] = ApplySet.ParentName, ["namespace"] = settings.Namespace },
            ["data"] = new JsonObject { [ApplySet.ChartsKey] = JsonSerializer.Serialize(charts) },
        };
        await api.ApplyAsync(applySet.ParentAddress, record, dryRun: false, cancellationToken, FieldManager);
    }
}
