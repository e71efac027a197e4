using Registry.Build.Settings;
using Registry.Build.Tools.Helm;

namespace Registry.Build.Prerequisites;

/// <summary>The pinned charts the guide's prerequisites come from.</summary>
public static class Charts
{
    /// <summary>ingress-nginx was retired in March 2026; this is its last chart (checked 2026-12).</summary>
    public const string IngressNginxVersion = "4.15.1";

    /// <summary>Traefik's chart (app v3.7), from its OCI registry (checked 2026-12 in traefik/traefik-helm-chart).</summary>
    public const string TraefikVersion = "41.3.0";

    /// <summary>Envoy Gateway's charts (checked 2026-12 in envoyproxy/gateway, v1.9.0).</summary>
    public const string EnvoyGatewayVersion = "v1.9.0";

    /// <summary>NGINX Gateway Fabric's chart (checked 2026-12 in nginx/nginx-gateway-fabric, v2.6.7).</summary>
    public const string NginxGatewayFabricVersion = "2.6.7";

    /// <summary>The controllerName of the GatewayClasses each implementation serves.</summary>
    public static readonly IReadOnlyDictionary<Settings.GatewayController, string> GatewayControllerNames = new Dictionary<Settings.GatewayController, string>
    {
        [Settings.GatewayController.Envoy] = "gateway.envoyproxy.io/gatewayclass-controller",
        [Settings.GatewayController.NginxFabric] = "gateway.nginx.org/nginx-gateway-controller",
        [Settings.GatewayController.Traefik] = "traefik.io/gateway-controller",
    };

    /// <summary>
    /// The charts that run gateway-controller, in order. The Gateway API CRDs come from the pinned standard install
    /// first, never from a chart: Envoy Gateway's main chart would bring the experimental channel, so its own CRDs come
    /// from its CRD chart with the Gateway API's left out.
    /// </summary>
    public static IReadOnlyList<HelmRelease> GatewayController(RegistrySettings settings, LocalCluster.LocalDistribution? cluster) => settings.GatewayController switch
    {
        Settings.GatewayController.Envoy =>
        [
            new HelmRelease("envoy-gateway-crds", "oci://docker.io/envoyproxy/gateway-crds-helm", EnvoyGatewayVersion, "envoy-gateway-system")
            {
                Values = new Dictionary<string, string> { ["crds.gatewayAPI.enabled"] = "false", ["crds.envoyGateway.enabled"] = "true" },
            },
            new HelmRelease("envoy-gateway", "oci://docker.io/envoyproxy/gateway-helm", EnvoyGatewayVersion, "envoy-gateway-system")
            {
                Values = new Dictionary<string, string> { ["crds.enabled"] = "false" },
            },
        ],
        Settings.GatewayController.NginxFabric =>
        [
            new HelmRelease("nginx-gateway-fabric", "oci://ghcr.io/nginx/charts/nginx-gateway-fabric", NginxGatewayFabricVersion, "nginx-gateway")
            {
                Values = new Dictionary<string, string> { ["nginxGateway.gatewayClassName"] = settings.GatewayClassName },
            },
        ],
        Settings.GatewayController.Traefik => [TraefikGateway(settings, cluster)],
        _ => [],
    };

    // The same Traefik that can serve Ingresses, with its Gateway provider on; the registry brings its own Gateway.
    private static HelmRelease TraefikGateway(RegistrySettings settings, LocalCluster.LocalDistribution? cluster)
    {
        var traefik = IngressController(settings with { IngressController = Settings.IngressController.Traefik, IngressClass = "traefik" }, cluster);
        return traefik with
        {
            Values = new Dictionary<string, string>(traefik.Values)
            {
                ["providers.kubernetesGateway.enabled"] = "true",
                ["gatewayClass.enabled"] = "true",
                ["gatewayClass.name"] = settings.GatewayClassName,
                ["gateway.enabled"] = "false",
            },
        };
    }

    /// <param name="cluster">The local distribution, if any: kind and minikube have no load balancer, so there the
    /// controller listens on the node's ports 80 and 443 (which kind's extraPortMappings publish; minikube's node IP is
    /// reachable as it is) behind a NodePort Service.</param>
    public static HelmRelease IngressController(RegistrySettings settings, LocalCluster.LocalDistribution? cluster)
    {
        var kind = cluster?.IsKind == true || cluster?.IsMinikube == true;
        if (settings.IngressController == Settings.IngressController.Traefik)
        {
            if (settings.HostIsAddress)
            {
                // A client that connects to an IP sends no server name, and Traefik then answers with its default
                // certificate, which can only come from a Secret in Traefik's own namespace.
                throw new Cake.Core.CakeException(
                    $"host is {settings.Host}, an IP address, which Traefik cannot serve the registry's certificate on (clients send no server name to an IP); " +
                    "set ingress-controller=nginx, or give host a DNS name that resolves to that address.");
            }

            // Traefik neither limits nor buffers request bodies; what large pushes need from it are timeouts
            // longer than its 60s default, the equivalent of the nginx annotations on the registry's Ingress. Its
            // class is not made the cluster's default: other teams' Ingresses without a class must not move to it.
            var traefik = new Dictionary<string, string>
            {
                ["ingressClass.enabled"] = "true",
                ["ingressClass.isDefaultClass"] = "false",
                ["ingressClass.name"] = settings.IngressClass,
                ["ports.websecure.transport.respondingTimeouts.readTimeout"] = "600s",
                ["ports.websecure.transport.respondingTimeouts.writeTimeout"] = "600s",
            };
            if (kind)
            {
                traefik["service.type"] = "NodePort";
                traefik["ports.web.hostPort"] = "80";
                traefik["ports.websecure.hostPort"] = "443";
                foreach (var (key, value) in HostPortRollout)
                {
                    traefik["updateStrategy.rollingUpdate." + key] = value;
                }
            }

            return new HelmRelease("traefik", "oci://ghcr.io/traefik/helm/traefik", settings.IngressChartVersion ?? TraefikVersion, "traefik")
            {
                Values = traefik,
                HasLoadBalancerService = !kind,
            };
        }

        var nginx = new Dictionary<string, string>
        {
            ["controller.ingressClassResource.name"] = settings.IngressClass,
            ["controller.ingressClass"] = settings.IngressClass,
        };
        if (kind)
        {
            nginx["controller.service.type"] = "NodePort";
            nginx["controller.hostPort.enabled"] = "true";
            foreach (var (key, value) in HostPortRollout)
            {
                nginx["controller.updateStrategy.rollingUpdate." + key] = value;
            }
        }

        if (settings.HostIsAddress)
        {
            // A client that connects to an IP sends no server name: the controller answers it with its default
            // certificate, which therefore is the registry's (the Secret may come later; the controller watches for it).
            nginx["controller.extraArgs.default-ssl-certificate"] = $"{settings.Namespace}/{settings.TlsSecret}";
        }

        return new HelmRelease("ingress-nginx", "ingress-nginx", settings.IngressChartVersion ?? IngressNginxVersion, "ingress-nginx")
        {
            Repository = "https://kubernetes.github.io/ingress-nginx",
            Values = nginx,
            HasLoadBalancerService = !kind,
        };
    }

    // A pod that holds the node's ports 80 and 443 cannot start beside the one it replaces on a one-node cluster: an
    // upgrade stops the old one first (the charts' defaults surge a new one first, which then never schedules).
    private static readonly (string Key, string Value)[] HostPortRollout = [("maxUnavailable", "1"), ("maxSurge", "0")];

    /// <summary>With exposure=gateway, cert-manager with its Gateway API support on, which ACME http01 through the Gateway needs.</summary>
    public static HelmRelease CertManager(RegistrySettings settings)
    {
        var values = new Dictionary<string, string> { ["crds.enabled"] = "true" };
        if (settings.Exposure == Exposure.Gateway)
        {
            values["config.gatewayAPI.enabled"] = "true";
        }

        return new("cert-manager", "oci://quay.io/jetstack/charts/cert-manager", settings.CertManagerVersion, "cert-manager") { Values = values };
    }
}
