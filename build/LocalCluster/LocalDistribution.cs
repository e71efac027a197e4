using System.Net;
using System.Text.Json.Nodes;
using k8s.Models;
using Registry.Build.Kubernetes;
using Registry.Build.Settings;

namespace Registry.Build.LocalCluster;

/// <summary>
/// Which local Kubernetes a cluster is, told from its context name, its nodes' provider IDs and labels, and what
/// it has installed; and what the registry should use there. Only settings the user did not give are chosen.
/// </summary>
/// <param name="Address">Where clients reach its ingress when that is not localhost: minikube's node IP.</param>
public sealed record LocalDistribution(string Name, string? IngressClass, IngressController? Controller, string Why, string? Address = null)
{
    public bool IsKind => Name == "kind";

    public bool IsMinikube => Name == "minikube";

    /// <summary>The distribution of the cluster behind <paramref name="context"/>, or null when it is none this pipeline knows.</summary>
    /// <param name="ingressClass">The class the settings ask for: kept when the cluster already has it.</param>
    public static async Task<LocalDistribution?> DetectAsync(KubernetesApi api, string context, string ingressClass, CancellationToken cancellationToken)
    {
        var nodes = await SampleNodesAsync(api, cancellationToken);
        var providers = nodes.Select(node => node["spec"]?["providerID"]?.GetValue<string>() ?? string.Empty).ToList();
        bool Named(string name) => nodes.Any(node => node["metadata"]?["name"]?.GetValue<string>() == name);
        bool Labelled(string label, string? value = null) => nodes.Any(node =>
            node["metadata"]?["labels"]?[label] is { } found && (value is null || found.GetValue<string>() == value));

        var (name, hasLoadBalancer) =
            context.StartsWith("kind-", StringComparison.Ordinal) || providers.Any(id => id.StartsWith("kind://", StringComparison.Ordinal)) ? ("kind", false)
            : context.StartsWith("k3d-", StringComparison.Ordinal) ? ("k3d", true)
            : context == "rancher-desktop" ? ("Rancher Desktop", true)
            : providers.Any(id => id.StartsWith("k3s://", StringComparison.Ordinal)) || Labelled("node.kubernetes.io/instance-type", "k3s") ? ("k3s", true)
            : context == "minikube" || Labelled("minikube.k8s.io/name") ? ("minikube", false)
            : context is "docker-desktop" or "docker-for-desktop" || Named("docker-desktop") ? ("Docker Desktop", true)
            : context == "orbstack" || Named("orbstack") ? ("OrbStack", true)
            : ((string?)null, true);
        if (name is null)
        {
            return null;
        }

        // k3s, k3d and Rancher Desktop ship Traefik holding ports 80 and 443: a second controller beside it could never
        // serve. Right after the cluster starts its IngressClass may not be there yet, but k3s's HelmChart for it is.
        if (name is "k3d" or "k3s" or "Rancher Desktop"
            && (ingressClass == "traefik" || await api.ReadAsync(ResourceAddress.For<V1IngressClass>(null, ingressClass), cancellationToken) is null)
            && (await api.ReadAsync(ResourceAddress.For<V1IngressClass>(null, "traefik"), cancellationToken) is not null
                || await api.ReadAsync(new ResourceAddress("helm.cattle.io", "v1", "helmcharts", "HelmChart", "kube-system", "traefik"), cancellationToken) is not null))
        {
            return new LocalDistribution(name, "traefik", Settings.IngressController.Existing, $"{name} ships Traefik, which holds ports 80 and 443");
        }

        // minikube's node is a machine of its own (a VM or a container): its ingress listens on the node's IP, which
        // localhost on the laptop does not reach.
        // Only ingress-nginx answers a client that sends no server name (one that connects to an IP) with the registry's
        // certificate, and minikube's own ingress addon is ingress-nginx.
        var address = name == "minikube" ? nodes.Select(InternalIp).FirstOrDefault(ip => ip is not null) : null;
        if (name == "minikube")
        {
            return new LocalDistribution(name, "nginx", Settings.IngressController.Nginx,
                "it has no load balancer, its ingress addon is ingress-nginx, and only ingress-nginx serves the registry's certificate on the node's IP", address);
        }

        return new LocalDistribution(name, null, null, hasLoadBalancer ? "it gives LoadBalancer Services an address" : "it has no load balancer", address);
    }

    private static string? InternalIp(JsonObject node) => node["status"]?["addresses"]?.AsArray()
        .FirstOrDefault(entry => entry?["type"]?.GetValue<string>() == "InternalIP"
            && IPAddress.TryParse(entry["address"]?.GetValue<string>(), out var ip) && ip.AddressFamily == System.Net.Sockets.AddressFamily.InterNetwork)
        ?["address"]!.GetValue<string>();

    /// <summary>The settings with this distribution's choices for what the user left unset, each with where it came from.</summary>
    public RegistrySettings Apply(RegistrySettings settings)
    {
        var origins = new Dictionary<string, SettingOrigin>(settings.Origins);
        var source = new SettingSource($"chosen for {Name}");
        if (Address is { } address && origins.GetValueOrDefault("host")?.Source is { } hostSource && LocalClusterDefaults.IsDefaultHost(hostSource))
        {
            origins["host"] = new SettingOrigin(address, new SettingSource($"chosen for {Name}: its node's address"));
            settings = settings with { Host = address, Origins = origins };
        }

        if (IngressClass is { } ingressClass && !origins.ContainsKey("ingress-class") && !origins.ContainsKey("ingress-controller"))
        {
            origins["ingress-class"] = new SettingOrigin(ingressClass, source);
            origins["ingress-controller"] = new SettingOrigin(SettingDefinition.KebabName(Controller!.Value), source);
            return settings with { IngressClass = ingressClass, IngressController = Controller.Value, Origins = origins };
        }

        return settings;
    }

    /// <summary>A few nodes, which tell the distribution; none for an identity that may not list nodes (the context name's verdict then stands).</summary>
    public static async Task<List<JsonObject>> SampleNodesAsync(KubernetesApi api, CancellationToken cancellationToken)
    {
        try
        {
            var list = await api.ReadListAsync(ResourceAddress.For<V1Node>(null), null, cancellationToken, limit: 5);
            return list["items"]?.AsArray().OfType<JsonObject>().ToList() ?? [];
        }
        catch (KubernetesApiException exception) when (exception.Status == HttpStatusCode.Forbidden)
        {
            return [];
        }
    }
}
