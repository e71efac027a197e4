using System.Text.Json.Nodes;

namespace Registry.Build.Tests.Fixtures.Kubernetes;

/// <summary>Cluster states the pipeline meets in the wild, put straight into an emulated cluster's store.</summary>
public static class SeededState
{
    /// <summary>ingress-nginx, as its chart installs it: IngressClass nginx, its controller available, its load balancer at <paramref name="address"/>.</summary>
    public static void IngressNginx(EmulatedApiServer server, string address)
    {
        server.Behaviour.LoadBalancerAddress = address;
        Seed(server, Namespace("ingress-nginx"));
        Seed(server, HelmRelease("ingress-nginx", "ingress-nginx"));
        Seed(server, $$$"""{"apiVersion": "networking.k8s.io/v1", "kind": "IngressClass", "metadata": {"name": "nginx"}, "spec": {"controller": "k8s.io/ingress-nginx"}}""");
        Seed(server, AvailableDeployment("ingress-nginx", "ingress-nginx-controller", "ingress-nginx"));
        Seed(server, $$$"""
            {"apiVersion": "v1", "kind": "Service",
             "metadata": {"name": "ingress-nginx-controller", "namespace": "ingress-nginx", "labels": {"app.kubernetes.io/name": "ingress-nginx"}},
             "spec": {"type": "LoadBalancer", "ports": [{"name": "https", "port": 443}]},
             "status": {"loadBalancer": {"ingress": [{"ip": "{{{address}}}"}]} } }
            """);
    }

    /// <summary>
    /// What the ingress-nginx chart makes of <c>--set controller.extraArgs.NAME=VALUE</c> in <paramref name="helmCall"/>:
    /// <c>--NAME=VALUE</c> among the controller container's arguments.
    /// </summary>
    public static void ControllerArguments(EmulatedApiServer server, string helmCall)
    {
        const string prefix = "controller.extraArgs.";
        var arguments = helmCall.Split(' ').Where(word => word.StartsWith(prefix, StringComparison.Ordinal)).Select(word => "--" + word[prefix.Length..]).ToList();
        server.Store.Mutate(ResourceCatalogue.OfKind("apps/v1", "Deployment"), "ingress-nginx", "ingress-nginx-controller", deployment =>
        {
            var container = deployment["spec"]!["template"]!["spec"]!["containers"]![0]!.AsObject();
            container["args"] = new JsonArray([JsonValue.Create("/nginx-ingress-controller"), .. arguments.Select(argument => JsonValue.Create(argument))]);
        });
    }

    /// <summary>ingress-nginx as RKE2 and many bare-metal clusters run it: a DaemonSet on every node, no load balancer.</summary>
    public static void IngressNginxDaemonSet(EmulatedApiServer server)
    {
        Seed(server, Namespace("ingress-nginx"));
        Seed(server, $$$"""{"apiVersion": "networking.k8s.io/v1", "kind": "IngressClass", "metadata": {"name": "nginx"}, "spec": {"controller": "k8s.io/ingress-nginx"}}""");
        Seed(server, $$$"""
            {"apiVersion": "apps/v1", "kind": "DaemonSet",
             "metadata": {"name": "ingress-nginx-controller", "namespace": "ingress-nginx", "labels": {"app.kubernetes.io/name": "ingress-nginx"}},
             "spec": {"selector": {"matchLabels": {"app.kubernetes.io/name": "ingress-nginx"}}, "template": {"metadata": {"labels": {"app.kubernetes.io/name": "ingress-nginx"}}, "spec": {"containers": [{"name": "controller", "image": "ingress-nginx/controller:v1.13.2"}]} } },
             "status": {"observedGeneration": 1, "desiredNumberScheduled": 3, "currentNumberScheduled": 3, "updatedNumberScheduled": 3, "numberReady": 3, "numberAvailable": 3}}
            """);
    }

    /// <summary>
    /// What Traefik's chart makes of the values in <paramref name="helmCall"/>: its Deployment in the release's namespace,
    /// its Service (a load balancer at <paramref name="address"/> unless <c>service.type</c> says otherwise), the
    /// IngressClass <c>ingressClass.name</c> when <c>ingressClass.enabled</c>, and with the Gateway provider on the
    /// GatewayClass <c>gatewayClass.name</c>, which its controller accepts a moment later.
    /// </summary>
    public static void TraefikChart(EmulatedApiServer server, string helmCall, string address)
    {
        var values = HelmValues(helmCall);
        var ns = helmCall.Split(' ').SkipWhile(word => word != "--namespace").Skip(1).FirstOrDefault() ?? "default";
        server.Behaviour.LoadBalancerAddress = address;
        Seed(server, Namespace(ns));
        Seed(server, HelmRelease(ns, "traefik"));
        Seed(server, AvailableDeployment(ns, "traefik", "traefik"));
        var type = values.GetValueOrDefault("service.type", "LoadBalancer");
        Seed(server, $$$"""
            {"apiVersion": "v1", "kind": "Service",
             "metadata": {"name": "traefik", "namespace": "{{{ns}}}", "labels": {"app.kubernetes.io/name": "traefik"}},
             "spec": {"type": "{{{type}}}", "ports": [{"name": "websecure", "port": 443}]}}
            """);
        if (values.GetValueOrDefault("ingressClass.enabled", "true") == "true")
        {
            Seed(server, $$$"""{"apiVersion": "networking.k8s.io/v1", "kind": "IngressClass", "metadata": {"name": "{{{values.GetValueOrDefault("ingressClass.name", "traefik")}}}"}, "spec": {"controller": "traefik.io/ingress-controller"}}""");
        }

        if (values.GetValueOrDefault("providers.kubernetesGateway.enabled") == "true" && values.GetValueOrDefault("gatewayClass.enabled", "true") == "true")
        {
            GatewayClass(server, values.GetValueOrDefault("gatewayClass.name", "traefik"), "traefik.io/gateway-controller", accepted: false);
        }
    }

    /// <summary>The <c>--set NAME=VALUE</c> pairs of a helm call, as the chart sees them.</summary>
    public static Dictionary<string, string> HelmValues(string helmCall)
    {
        var words = helmCall.Split(' ');
        return words.Zip(words.Skip(1)).Where(pair => pair.First is "--set" or "--set-string" && pair.Second.Contains('='))
            .Select(pair => pair.Second.Split('=', 2))
            .GroupBy(pair => pair[0]).ToDictionary(group => group.Key, group => group.Last()[1]);
    }

    /// <summary>Traefik as k3s, k3d and Rancher Desktop ship it: IngressClass traefik and its Deployment in kube-system.</summary>
    public static void K3sTraefik(EmulatedApiServer server)
    {
        Seed(server, $$$"""{"apiVersion": "networking.k8s.io/v1", "kind": "IngressClass", "metadata": {"name": "traefik"}, "spec": {"controller": "traefik.io/ingress-controller"}}""");
        Seed(server, AvailableDeployment("kube-system", "traefik", "traefik"));
    }

    /// <summary>A cluster node as a distribution makes it: its name, provider ID and labels.</summary>
    /// <param name="internalIp">The node's InternalIP in its status, as the kubelet reports it.</param>
    public static void Node(EmulatedApiServer server, string name, string? providerId, string labels = "{}", string? internalIp = null) => Seed(server, $$$"""
        {"apiVersion": "v1", "kind": "Node", "metadata": {"name": "{{{name}}}", "labels": {{{labels}}}}, "spec": {{{(providerId is null ? "{}" : $$"""{"providerID": "{{providerId}}"}""")}}},
         "status": {"addresses": [{{{(internalIp is null ? "" : $$"""{"type": "InternalIP", "address": "{{internalIp}}"}, """)}}}{"type": "Hostname", "address": "{{{name}}}"}]}}
        """);

    /// <summary>The Prometheus Operator's ServiceMonitor CRD, as its chart (kube-prometheus-stack) installs it.</summary>
    public static void ServiceMonitorCrd(EmulatedApiServer server) => Seed(server, """
        {"apiVersion": "apiextensions.k8s.io/v1", "kind": "CustomResourceDefinition", "metadata": {"name": "servicemonitors.monitoring.coreos.com"},
         "spec": {"group": "monitoring.coreos.com", "scope": "Namespaced", "names": {"plural": "servicemonitors", "kind": "ServiceMonitor"}},
         "status": {"conditions": [{"type": "Established", "status": "True", "reason": "InitialNamesAccepted"}]}}
        """);

    /// <summary>cert-manager, as its chart installs it: six CRDs established, three Deployments available.</summary>
    /// <param name="gatewayApi">As the chart's <c>config.gatewayAPI.enabled=true</c> makes it: the controller's
    /// configuration in ConfigMap cert-manager, mounted for its --config argument.</param>
    public static void CertManager(EmulatedApiServer server, bool gatewayApi = false)
    {
        Seed(server, Namespace("cert-manager"));
        Seed(server, HelmRelease("cert-manager", "cert-manager"));
        // Labelled as its chart (and its static crds manifest) label them.
        foreach (var crd in global::Registry.Build.Prerequisites.ClusterPrerequisites.CertManagerCrds)
        {
            Seed(server, $$$"""
                {"apiVersion": "apiextensions.k8s.io/v1", "kind": "CustomResourceDefinition",
                 "metadata": {"name": "{{{crd}}}", "labels": {"app": "cert-manager", "app.kubernetes.io/name": "cert-manager", "app.kubernetes.io/instance": "cert-manager", "app.kubernetes.io/component": "crds"}},
                 "spec": {"group": "{{{crd[(crd.IndexOf('.') + 1)..]}}}", "scope": "Namespaced", "names": {"plural": "{{{crd.Split('.')[0]}}}", "kind": "X"}},
                 "status": {"conditions": [{"type": "Established", "status": "True", "reason": "InitialNamesAccepted"}]}}
                """);
        }

        var deployments = ResourceCatalogue.OfKind("apps/v1", "Deployment");
        foreach (var name in global::Registry.Build.Prerequisites.ClusterPrerequisites.CertManagerDeployments)
        {
            // An upgrade leaves a Deployment whose manifest did not change as it is (a restart annotation included).
            if (server.Store.Get(deployments, "cert-manager", name) is null)
            {
                server.Store.Seed(WithConfig(JsonNode.Parse(AvailableDeployment("cert-manager", name, name))!.AsObject(), gatewayApi && name == "cert-manager"));
            }
            else if (name == "cert-manager" && gatewayApi && WithConfig(server.Store.Get(deployments, "cert-manager", name)!.DeepClone().AsObject(), true) is var configured
                && !JsonNode.DeepEquals(configured, server.Store.Get(deployments, "cert-manager", name)))
            {
                // Its pod template changes (the argument and the volume): a new generation rolls out.
                server.Store.Seed(configured);
            }
        }

        if (gatewayApi)
        {
            Seed(server, """
                {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "cert-manager", "namespace": "cert-manager"},
                 "data": {"config.yaml": "apiVersion: controller.config.cert-manager.io/v1alpha1\ngatewayAPI:\n  enabled: true\nkind: ControllerConfiguration\n"}}
                """);
        }
    }

    // The chart's config value: the controller reads it from a ConfigMap mounted for its --config argument.
    private static JsonObject WithConfig(JsonObject deployment, bool configured)
    {
        if (configured)
        {
            var pod = deployment["spec"]!["template"]!["spec"]!.AsObject();
            var container = pod["containers"]![0]!.AsObject();
            container["args"] = new JsonArray("--v=2", "--config=/var/cert-manager/config/config.yaml");
            container["volumeMounts"] = new JsonArray(new JsonObject { ["name"] = "config", ["mountPath"] = "/var/cert-manager/config" });
            pod["volumes"] = new JsonArray(new JsonObject { ["name"] = "config", ["configMap"] = new JsonObject { ["name"] = "cert-manager" } });
        }

        return deployment;
    }

    /// <summary>A Gateway API implementation as its chart leaves it: a GatewayClass for its controller, which accepts it.</summary>
    /// <param name="accepted">Already accepted, as a controller running for a while leaves it; else its controller accepts it in a moment.</param>
    public static void GatewayClass(EmulatedApiServer server, string name = "eg", string controllerName = "gateway.envoyproxy.io/gatewayclass-controller", bool accepted = true) =>
        Seed(server, $$$"""
            {"apiVersion": "gateway.networking.k8s.io/v1", "kind": "GatewayClass", "metadata": {"name": "{{{name}}}"}, "spec": {"controllerName": "{{{controllerName}}}"}
             {{{(accepted ? """, "status": {"conditions": [{"type": "Accepted", "status": "True", "reason": "Accepted", "message": "Valid GatewayClass"}]}""" : string.Empty)}}}}
            """);

    /// <summary>A Gateway someone else runs for the whole cluster, admitting routes from the namespaces <paramref name="from"/> says
    /// (Selector: those labelled gateway-access=shared).</summary>
    public static void SharedGateway(EmulatedApiServer server, string ns, string name, string host, string from = "All")
    {
        Seed(server, Namespace(ns));
        Seed(server, """
            {"apiVersion": "gateway.networking.k8s.io/v1", "kind": "Gateway", "metadata": {"name": "NAME", "namespace": "NS"},
             "spec": {"gatewayClassName": "eg", "listeners": [{"name": "https", "protocol": "HTTPS", "port": 443, "hostname": "*.DOMAIN",
               "tls": {"mode": "Terminate", "certificateRefs": [{"name": "wildcard"}]}, "allowedRoutes": {"namespaces": {"from": "FROM"SELECTOR}}}]}}
            """.Replace("NAME", name).Replace("NS", ns).Replace("DOMAIN", host[(host.IndexOf('.') + 1)..]).Replace("FROM", from)
            .Replace("SELECTOR", from == "Selector" ? """, "selector": {"matchLabels": {"gateway-access": "shared"}}""" : string.Empty));
        Seed(server, $$$"""{"apiVersion": "v1", "kind": "Secret", "type": "kubernetes.io/tls", "metadata": {"name": "wildcard", "namespace": "{{{ns}}}"}, "data": {"tls.crt": "eA==", "tls.key": "eA=="}}""");
    }

    /// <summary>The Secret in which Helm 3 and 4 keep a release, as a chart installation leaves it.</summary>
    private static string HelmRelease(string ns, string release) => $$$"""
        {"apiVersion": "v1", "kind": "Secret", "type": "helm.sh/release.v1",
         "metadata": {"name": "sh.helm.release.v1.{{{release}}}.v1", "namespace": "{{{ns}}}", "labels": {"owner": "helm", "name": "{{{release}}}", "status": "deployed", "version": "1"}},
         "data": {"release": "ZW11bGF0ZWQ="}}
        """;

    private static string Namespace(string name) => $$$"""{"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": "{{{name}}}"}}""";

    private static string AvailableDeployment(string ns, string name, string app) => $$$"""
        {"apiVersion": "apps/v1", "kind": "Deployment",
         "metadata": {"name": "{{{name}}}", "namespace": "{{{ns}}}", "labels": {"app.kubernetes.io/name": "{{{app}}}", "app.kubernetes.io/instance": "{{{ns}}}"}},
         "spec": {"replicas": 1, "selector": {"matchLabels": {"app.kubernetes.io/name": "{{{app}}}"}}, "template": {"metadata": {"labels": {"app.kubernetes.io/name": "{{{app}}}"}}, "spec": {"containers": [{"name": "controller", "image": "{{{app}}}:1"}]} } },
         "status": {"observedGeneration": 1, "replicas": 1, "updatedReplicas": 1, "readyReplicas": 1, "availableReplicas": 1}}
        """;

    private static void Seed(EmulatedApiServer server, string json) => server.Store.Seed(JsonNode.Parse(json)!.AsObject());
}
