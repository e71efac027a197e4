using System.Text.Json.Nodes;
using k8s.Models;
using Registry.Build.Kubernetes;
using Registry.Build.Settings;

namespace Registry.Build.LocalCluster;

/// <summary>
/// Which local Kubernetes a cluster is, told from its context name, its nodes' provider IDs and labels, and what
/// it has installed; and what the registry should use there. Only settings the user did not give are chosen.
/// </summary>
public sealed record LocalDistribution(string Name, string? IngressClass, IngressController? Controller, string Why)
{
    /// <summary>The distribution of the cluster behind <paramref name="context"/>, or null when it is none this pipeline knows.</summary>
    public static async Task<LocalDistribution?> DetectAsync(KubernetesApi api, string context, CancellationToken cancellationToken)
    {
        var nodes = (await api.ListAsync(ResourceAddress.For<V1Node>(null), null, cancellationToken))["items"]?.AsArray().OfType<JsonObject>().ToList() ?? [];
        var providers = nodes.Select(node => node["spec"]?["providerID"]?.GetValue<string>() ?? string.Empty).ToList();
        bool Labelled(string label) => nodes.Any(node => node["metadata"]?["labels"]?[label] is not null);

        var name =
            context.StartsWith("kind-", StringComparison.Ordinal) || providers.Any(id => id.StartsWith("kind://", StringComparison.Ordinal)) ? "kind"
            : context.StartsWith("k3d-", StringComparison.Ordinal) ? "k3d"
            : context == "rancher-desktop" ? "Rancher Desktop"
            : providers.Any(id => id.StartsWith("k3s://", StringComparison.Ordinal)) || nodes.Any(node => node["metadata"]?["labels"]?["node.kubernetes.io/instance-type"]?.GetValue<string>() == "k3s") ? "k3s"
            : Labelled("minikube.k8s.io/name") ? "minikube"
            : context is "docker-desktop" or "docker-for-desktop" || nodes.Any(node => node["metadata"]?["name"]?.GetValue<string>() == "docker-desktop") ? "Docker Desktop"
            : context == "orbstack" || nodes.Any(node => node["metadata"]?["name"]?.GetValue<string>() == "orbstack") ? "OrbStack"
            : null;
        if (name is null)
        {
            return null;
        }

        // k3s, k3d and Rancher Desktop ship Traefik holding ports 80 and 443: a second controller beside it could never serve.
        if (name is "k3d" or "k3s" or "Rancher Desktop"
            && await api.GetAsync(ResourceAddress.For<V1IngressClass>(null, "traefik"), cancellationToken) is { } traefik
            && traefik["spec"]?["controller"]?.GetValue<string>() == "traefik.io/ingress-controller")
        {
            return new LocalDistribution(name, "traefik", Settings.IngressController.Existing, $"{name} ships Traefik (IngressClass traefik), which already holds ports 80 and 443");
        }

        return new LocalDistribution(name, null, null, $"{name} has no ingress controller of its own that the pipeline would use");
    }

    /// <summary>The settings with this distribution's choices for what the user left unset, each with where it came from.</summary>
    public RegistrySettings Apply(RegistrySettings settings)
    {
        var origins = new Dictionary<string, SettingOrigin>(settings.Origins);
        var source = new SettingSource($"chosen for {Name}");
        if (IngressClass is { } ingressClass && !origins.ContainsKey("ingress-class") && !origins.ContainsKey("ingress-controller"))
        {
            origins["ingress-class"] = new SettingOrigin(ingressClass, source);
            origins["ingress-controller"] = new SettingOrigin(SettingDefinition.KebabName(Controller!.Value), source);
            return settings with { IngressClass = ingressClass, IngressController = Controller.Value, Origins = origins };
        }

        return settings;
    }
}
