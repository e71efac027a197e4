using System.Text.Json.Nodes;
using Registry.Build.Kubernetes;

namespace Registry.Build.Inventory;

/// <summary>
/// What lives in a namespace besides the pipeline's own objects and what Kubernetes puts in every namespace: the
/// reason to keep a namespace the pipeline created. Every namespaced kind the API server serves is listed.
/// </summary>
public static class NamespaceContents
{
    /// <param name="products">Secrets that members had others make for them (cert-manager's certificates and ACME account keys): the pipeline's too.</param>
    /// <returns>Each foreign object as "Kind name"; empty when deleting the namespace would take nothing of anyone else's.</returns>
    public static async Task<IReadOnlyList<string>> ForeignAsync(KubernetesApi api, ApplySet applySet, IReadOnlySet<string> products, CancellationToken cancellationToken)
    {
        var foreign = new List<string>();
        foreach (var resource in await api.NamespacedResourcesAsync(cancellationToken))
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
                if (!Ignorable(resource.Kind, item, applySet) && !(resource.Kind == "Secret" && products.Contains(item["metadata"]?["name"]?.GetValue<string>() ?? string.Empty)))
                {
                    foreign.Add($"{resource.Kind} {item["metadata"]?["name"]}");
                }
            }
        }

        return foreign;
    }

    /// <summary>The Secrets cert-manager writes for these members: each Certificate's secretName, each ACME Issuer's account key.</summary>
    public static IReadOnlySet<string> ProductsOf(IEnumerable<JsonObject> members) => members
        .Select(member => member["spec"]?["secretName"] ?? member["spec"]?["acme"]?["privateKeySecretRef"]?["name"])
        .Select(name => name?.GetValue<string>())
        .OfType<string>()
        .ToHashSet(StringComparer.Ordinal);

    private static bool Ignorable(string kind, JsonObject item, ApplySet applySet)
    {
        var metadata = item["metadata"];
        var name = metadata?["name"]?.GetValue<string>();
        return applySet.IsMember(item)
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
