using k8s;
using k8s.Models;
using Registry.Build.Kubernetes;

namespace Registry.Build.Tests.Kubernetes;

internal static class ObjectApplierExtensions
{
    /// <summary>Applies in order, as Deploy's steps do one after the other.</summary>
    public static async Task<IReadOnlyList<ApplyResult>> ApplyAllAsync(
        this ObjectApplier applier, IEnumerable<IKubernetesObject<V1ObjectMeta>> items, CancellationToken cancellationToken)
    {
        var results = new List<ApplyResult>();
        foreach (var item in items)
        {
            results.Add(await applier.ApplyAsync(item, cancellationToken));
        }

        return results;
    }
}
