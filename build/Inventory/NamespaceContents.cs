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

    /// <returns>Each foreign object as "Kind name"; empty when deleting the namespace would take nothing of anyone else's.</returns>
    public static async Task<IReadOnlyList<string>> ForeignAsync(KubernetesApi api, ApplySet applySet, CancellationToken cancellationToken)
    {
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

            foreach (var item in list["items"]?.AsArray().OfType<JsonObject>() ?? [])
            {
                if (!Ignorable(resource.Kind, item, applySet))
                {
                    foreign.Add($"{resource.Kind} {item["metadata"]?["name"]}");
                }
            }
        }

        return foreign;
    }

    private static bool Ignorable(string kind, JsonObject item, ApplySet applySet)
    {
        var metadata = item["metadata"];
        var name = metadata?["name"]?.GetValue<string>();
        return applySet.IsMember(item)
            || applySet.IsMadeForMember(item)
            || name == ApplySet.ParentName
            || metadata?["deletionTimestamp"] is not null
            // Owned objects (ReplicaSets, Pods, EndpointSlices) go with their owner, which is listed itself.
            || metadata?["ownerReferences"]?.AsArray().Count > 0
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
