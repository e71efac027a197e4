using System.Text.Json.Nodes;
using k8s.Models;
using Registry.Build.Kubernetes;

namespace Registry.Build.Prerequisites;

/// <summary>What <c>helm init</c> and the guide's two kubectl commands left in a cluster: Tiller's Deployment and Service, its account and its cluster-admin binding.</summary>
public static class LeftoverTiller
{
    public static async Task<IReadOnlyList<ResourceAddress>> FindAsync(KubernetesApi api, CancellationToken cancellationToken)
    {
        var found = new List<ResourceAddress>();
        foreach (var address in new[]
        {
            ResourceAddress.For<V1Deployment>("kube-system", "tiller-deploy"),
            ResourceAddress.For<V1Service>("kube-system", "tiller-deploy"),
            ResourceAddress.For<V1ServiceAccount>("kube-system", "tiller"),
        })
        {
            if (await api.GetAsync(address, cancellationToken) is not null)
            {
                found.Add(address);
            }
        }

        // A binding named tiller is Tiller's only when it binds Tiller's account.
        var binding = ResourceAddress.For<V1ClusterRoleBinding>(null, "tiller");
        if (await api.GetAsync(binding, cancellationToken) is { } live
            && live["subjects"]?.AsArray().OfType<JsonObject>().Any(subject =>
                subject["kind"]?.GetValue<string>() == "ServiceAccount" && subject["name"]?.GetValue<string>() == "tiller"
                && subject["namespace"]?.GetValue<string>() == "kube-system") == true)
        {
            found.Add(binding);
        }

        return found;
    }
}
