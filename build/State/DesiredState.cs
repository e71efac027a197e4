using System.Text.Json.Nodes;
using k8s;
using k8s.Models;
using Registry.Build.Inventory;
using Registry.Build.Kubernetes;
using Registry.Build.Registry;

namespace Registry.Build.State;

/// <summary>
/// What the cluster should hold after a Deploy, built once per run by <see cref="Declaration"/>: every object in
/// the order Deploy applies it, each tagged with its step, and the inventory that records them as the pipeline's.
/// </summary>
public sealed class DesiredState(ApplySet applySet, IReadOnlyList<ManagedObject> objects, RegistryCredentials credentials)
{
    public ApplySet ApplySet { get; } = applySet;

    /// <summary>Every object, the inventory's parent included, in Deploy's order.</summary>
    public IReadOnlyList<ManagedObject> Objects { get; } = objects;

    public RegistryCredentials Credentials { get; } = credentials;

    /// <summary>The objects the inventory records (all but its parent).</summary>
    public IEnumerable<ManagedObject> Members => Objects.Where(item => !item.Address.IsSameObject(ApplySet.ParentAddress));

    /// <summary>The member kinds, as the parent names them.</summary>
    public IEnumerable<string> GroupKinds => Members.Select(item => ApplySet.GroupKind(item.Address)).Distinct();

    /// <summary>The namespaces besides the registry's that hold members, as the parent names them.</summary>
    public IEnumerable<string> Namespaces => Members.Select(item => item.Address.Namespace).OfType<string>().Where(ns => ns != ApplySet.Namespace).Distinct();

    /// <summary>The objects the step <paramref name="step"/> applies.</summary>
    public IReadOnlyList<IKubernetesObject<V1ObjectMeta>> Of(Type step) => Objects.Where(item => item.Step == step).Select(item => item.Object).ToList();

    public IReadOnlyList<IKubernetesObject<V1ObjectMeta>> Of<TStep>() => Of(typeof(TStep));

    public bool Declares(ResourceAddress address) => Objects.Any(item => item.Address.IsSameObject(address));

    /// <summary>
    /// Declared objects the cluster already has under the same name that are someone else's: not members, and never
    /// written by this pipeline (an object an earlier version made has the pipeline among its field managers and is
    /// adopted). Deploy stops on them rather than take them over, since prune and Destroy would later delete them.
    /// </summary>
    public async Task<IReadOnlyList<ResourceAddress>> ConflictsAsync(KubernetesApi api, CancellationToken cancellationToken)
    {
        var conflicts = new List<ResourceAddress>();
        foreach (var item in Objects)
        {
            var live = await api.ReadAsync(item.Address, cancellationToken);
            var isParent = item.Address.IsSameObject(ApplySet.ParentAddress);
            if (live is not null && !(isParent ? ApplySet.IsParent(live) : ApplySet.IsMember(live)) && !WrittenByPipeline(live))
            {
                conflicts.Add(item.Address);
            }
        }

        return conflicts;
    }

    private static bool WrittenByPipeline(JsonObject live) =>
        live["metadata"]?["managedFields"]?.AsArray().Any(entry =>
            entry?["manager"]?.GetValue<string>().StartsWith(KubernetesApi.FieldManager, StringComparison.Ordinal) == true) == true;

    /// <summary>
    /// The members the cluster holds that this state no longer declares (an Issuer of a tls mode given up), newest
    /// first: the kinds the live parent names and this state's, listed by the inventory's label, so never an
    /// object outside it.
    /// </summary>
    public async Task<IReadOnlyList<JsonObject>> OrphansAsync(KubernetesApi api, CancellationToken cancellationToken)
    {
        var parent = await api.ReadAsync(ApplySet.ParentAddress, cancellationToken);
        var members = await ApplySet.MembersAsync(
            api, GroupKinds.Concat(ApplySet.GroupKindsOf(parent)), Namespaces.Concat(ApplySet.NamespacesOf(parent)), cancellationToken);
        return members
            .Where(member => !Declares(ApplySet.AddressOf(member)))
            .OrderByDescending(member => member["metadata"]?["creationTimestamp"]?.GetValue<string>(), StringComparer.Ordinal)
            .ToList();
    }
}
