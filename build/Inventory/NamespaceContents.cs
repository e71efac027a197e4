using System.Text.Json.Nodes;
using Registry.Build.Kubernetes;

namespace Registry.Build.Inventory;

/// <summary>
/// What lives in a namespace besides the pipeline's own objects and what Kubernetes puts in every namespace: the
/// reason to keep a namespace the pipeline created. Every namespaced kind the API server serves is listed.
/// </summary>
public static class NamespaceContents
{
    // Read-only views of other objects (pod metrics), never anything someone made.
    private static readonly HashSet<string> DerivedGroups = ["metrics.k8s.io"];

    /// <param name="deletedMembers">The uids of the members just deleted: what they owned (a Deployment's ReplicaSets
    /// and Pods) may still be there for a moment, on its way out.</param>
    /// <returns>Each foreign object as "Kind name"; empty when deleting the namespace would take nothing of anyone else's.</returns>
    public static async Task<IReadOnlyList<string>> ForeignAsync(KubernetesApi api, ApplySet applySet, IEnumerable<string> deletedMembers, CancellationToken cancellationToken)
    {
        var listed = new List<(string Kind, JsonObject Item)>();
        var foreign = new List<string>();
        var unavailable = new List<string>();
        var resources = await api.NamespacedResourcesAsync(unavailable, cancellationToken);
        // Objects an API group that is down may hold cannot be checked; Kubernetes itself could not delete them either.
        foreign.AddRange(unavailable.Where(group => !DerivedGroups.Contains(group)).Select(group => $"whatever the API group {group} holds (its API does not answer)"));
        foreach (var resource in resources.Where(resource => !DerivedGroups.Contains(resource.Group)))
        {
            JsonObject list;
            try
            {
                list = await api.ListAsync(resource with { Namespace = applySet.Namespace }, null, cancellationToken);
            }
            catch (KubernetesApiException)
            {
                // An aggregated API that is down, or one this account may not list: it cannot be checked, so say so.
                foreign.Add($"{resource.Kind} (could not be listed)");
                continue;
            }

            listed.AddRange((list["items"]?.AsArray().OfType<JsonObject>() ?? []).Select(item => (resource.Kind, item)));
        }

        // An owned object goes with its owner when that owner is here too (or was one of the pipeline's); an owner
        // elsewhere (cluster-scoped, another namespace) keeps it alive, so it counts as someone else's.
        var owners = listed.Select(entry => entry.Item["metadata"]?["uid"]?.GetValue<string>()).OfType<string>().Concat(deletedMembers).ToHashSet();
        foreign.AddRange(listed
            .Where(entry => !Ignorable(entry.Kind, entry.Item, applySet, owners))
            .Select(entry => $"{entry.Kind} {entry.Item["metadata"]?["name"]}"));
        return foreign;
    }

    private static bool Ignorable(string kind, JsonObject item, ApplySet applySet, IReadOnlySet<string> owners)
    {
        var metadata = item["metadata"];
        var name = metadata?["name"]?.GetValue<string>();
        return applySet.IsMember(item)
            || applySet.IsMadeForMember(item)
            || name == ApplySet.ParentName
            || metadata?["deletionTimestamp"] is not null
            || (metadata?["ownerReferences"]?.AsArray() is { Count: > 0 } references
                && references.All(owner => owners.Contains(owner?["uid"]?.GetValue<string>() ?? string.Empty)))
            || (kind, name) switch
            {
                // What the control plane puts in every namespace, and what it records about the rest.
                ("ConfigMap", "kube-root-ca.crt") or ("ServiceAccount", "default") or ("Lease", RunLock.Name) => true,
                ("Event" or "Endpoints", _) => true,
                ("Secret", _) => item["type"]?.GetValue<string>() == "kubernetes.io/service-account-token"
                    && metadata?["annotations"]?["kubernetes.io/service-account.name"]?.GetValue<string>() == "default",
                _ => false,
            };
    }
}
