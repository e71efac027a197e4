using System.Text.Json.Nodes;
using k8s.Models;
using Registry.Build.Kubernetes;

namespace Registry.Build.Prerequisites;

/// <summary>What <c>helm init</c> and the guide's two kubectl commands left in a cluster: Tiller's Deployment and Service, its account and its cluster-admin binding.</summary>
public static class LeftoverTiller
{
    public static async Task<IReadOnlyList<ResourceAddress>> FindAsync(KubernetesApi api, CancellationToken cancellationToken)
    {
        // Every Deployment is listed once per run (the ingress controller's and cert-manager's detection read the same
        // list); its Service and account are looked for only where Tiller or its binding is left, as helm reset leaves them.
        var deployment = ResourceAddress.For<V1Deployment>("kube-system", "tiller-deploy");
        var binding = ResourceAddress.For<V1ClusterRoleBinding>(null, "tiller");
        // Both asked at once: neither answer decides whether the other is needed.
        var bindingRead = api.ReadAsync(binding, cancellationToken);
        _ = bindingRead.ContinueWith(read => read.Exception, TaskScheduler.Default);
        var deployments = await api.ReadListAsync(ResourceAddress.For<V1Deployment>(null), null, cancellationToken);
        var deploymentLeft = deployments["items"]?.AsArray().OfType<JsonObject>().Any(item =>
            item["metadata"]?["namespace"]?.GetValue<string>() == deployment.Namespace && item["metadata"]?["name"]?.GetValue<string>() == deployment.Name) == true;

        // A binding named tiller is Tiller's only when it binds Tiller's account.
        var bindingLeft = await bindingRead is { } live
            && live["subjects"]?.AsArray().OfType<JsonObject>().Any(subject =>
                subject["kind"]?.GetValue<string>() == "ServiceAccount" && subject["name"]?.GetValue<string>() == "tiller"
                && subject["namespace"]?.GetValue<string>() == "kube-system") == true;
        var found = new List<ResourceAddress>();
        if (deploymentLeft)
        {
            found.Add(deployment);
        }

        if (deploymentLeft || bindingLeft)
        {
            ResourceAddress[] rest = [ResourceAddress.For<V1Service>("kube-system", "tiller-deploy"), ResourceAddress.For<V1ServiceAccount>("kube-system", "tiller")];
            var left = await Task.WhenAll(rest.Select(address => api.ReadAsync(address, cancellationToken)));
            found.AddRange(rest.Where((_, index) => left[index] is not null));
        }

        if (bindingLeft)
        {
            found.Add(binding);
        }

        return found;
    }
}
