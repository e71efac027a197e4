using Cake.Core;
using k8s.Models;
using Registry.Build.State;
using Registry.Build.Host;
using Registry.Build.Kubernetes;

namespace Registry.Build.Tasks;

[TaskName("Storage")]
[TaskDescription("Create the PersistentVolumeClaim the images live on (the guide's emptyDir lost them); none with object storage.")]
[IsDependentOn(typeof(InventoryTask))]
[WritesToCluster]
public sealed class StorageTask(ClusterConnector connector, RunDesiredState desired) : ApplyObjectsTask(connector, desired)
{
    // In a bucket the images need no claim, and one an earlier run made is kept for its images (Prune says so).
    public override bool ShouldRun(BuildContext context) => context.Settings.UsesObjectStorage
        ? Skip($"storage is {Settings.SettingDefinition.KebabName(context.Settings.Storage)}: the images are in the store, on no claim")
        : base.ShouldRun(context);

    // The images are on this claim: it may grow, but never shrink or be replaced.
    protected override void Check(BuildContext context, IReadOnlyList<ApplyResult> plans)
    {
        var live = plans.Single().Live;
        if (live is null)
        {
            return;
        }

        var settings = context.Settings;
        var current = live["spec"]?["resources"]?["requests"]?["storage"]?.GetValue<string>();
        if (current is not null && new ResourceQuantity(settings.StorageSize).ToDecimal() < new ResourceQuantity(current).ToDecimal())
        {
            throw new CakeException(
                $"storage-size {settings.StorageSize} is smaller than the claim {settings.Namespace}/docker-registry-data already has ({current}): " +
                $"a PersistentVolumeClaim cannot shrink, and the images are on it. Set storage-size to {current} or more. Nothing was changed.");
        }

        var modes = live["spec"]?["accessModes"]?.AsArray().Select(mode => mode!.GetValue<string>()).ToList() ?? [];
        var storageClass = live["spec"]?["storageClassName"]?.GetValue<string>();
        if (!modes.Contains(settings.StorageAccessMode) || (settings.StorageClass is { } wanted && wanted != storageClass))
        {
            throw new CakeException(
                $"The claim {settings.Namespace}/docker-registry-data has access mode {string.Join(", ", modes)} and storage class {storageClass ?? "(default)"}; " +
                $"those cannot change on an existing claim (asked: {settings.StorageAccessMode}, {settings.StorageClass ?? "(default)"}). " +
                "Keep them, or move the images to a new claim yourself. Nothing was changed.");
        }
    }
}
