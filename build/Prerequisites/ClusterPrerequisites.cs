using System.Text.Json.Nodes;
using k8s.Models;
using Registry.Build.Kubernetes;

namespace Registry.Build.Prerequisites;

/// <summary>
/// Finds out, through the API alone, what the guide's first steps would install: an ingress controller for
/// the ingress class, and cert-manager. Tasks skip their step when it is already there.
/// </summary>
public sealed class ClusterPrerequisites(ClusterConnector connector)
{
    public static readonly IReadOnlyList<string> CertManagerCrds =
    [
        "certificates.cert-manager.io", "certificaterequests.cert-manager.io", "issuers.cert-manager.io",
        "clusterissuers.cert-manager.io", "orders.acme.cert-manager.io", "challenges.acme.cert-manager.io",
    ];

    public static readonly IReadOnlyList<string> CertManagerDeployments = ["cert-manager", "cert-manager-cainjector", "cert-manager-webhook"];

    // The app.kubernetes.io/name each known controller's chart (and minikube's addon) gives its workloads and Services,
    // by the controller its IngressClass names.
    private static readonly Dictionary<string, string> ControllerApps = new()
    {
        [IngressControllerState.IngressNginxController] = "ingress-nginx",
        ["traefik.io/ingress-controller"] = "traefik",
    };

    // The Services of every controller known, in one list across namespaces: asked together with the class, not after it.
    private static readonly string ControllerServicesSelector = $"app.kubernetes.io/name in ({string.Join(',', ControllerApps.Values)})";

    /// <param name="fresh">Read the cluster as it is now (a wait after an install), not the run's view.</param>
    public async Task<IngressControllerState> IngressControllerAsync(string ingressClass, CancellationToken cancellationToken, bool fresh = false)
    {
        var api = (await connector.ConnectAsync(cancellationToken)).Api;
        Task<JsonObject> List(ResourceAddress collection, string? selector) =>
            fresh ? api.ListAsync(collection, selector, cancellationToken) : api.ReadListAsync(collection, selector, cancellationToken);
        var servicesRead = List(ResourceAddress.For<V1Service>(null), ControllerServicesSelector);
        // Observed whatever follows, so a list nobody ends up needing does not fail unobserved.
        _ = servicesRead.ContinueWith(read => read.Exception, TaskScheduler.Default);
        var found = fresh
            ? await api.GetAsync(ResourceAddress.For<V1IngressClass>(null, ingressClass), cancellationToken)
            : await api.ReadAsync(ResourceAddress.For<V1IngressClass>(null, ingressClass), cancellationToken);
        var controller = found?["spec"]?["controller"]?.GetValue<string>();
        if (found is null || controller is null)
        {
            return new IngressControllerState(ingressClass, null, null, false, null);
        }

        if (!ControllerApps.TryGetValue(controller, out var app))
        {
            // A controller this pipeline does not know: its class is all there is to check, so it is trusted.
            return new IngressControllerState(ingressClass, controller, null, true, null) { Trusted = true };
        }

        var selector = $"app.kubernetes.io/name={app}";

        // Every Deployment, as cert-manager's detection lists them: one list for both. ingress-nginx runs as a DaemonSet
        // on RKE2 and many bare-metal clusters, looked for when no Deployment is ready.
        var workloads = Items(await List(ResourceAddress.For<V1Deployment>(null), null)).Where(item => HasLabel(item, selector))
            .Select(item => (Item: item, Kind: "Deployment", Ready: Readiness.RolledOut.Check(item).Ready))
            .ToList();
        if (!workloads.Any(workload => workload.Ready))
        {
            workloads.AddRange(Items(await List(ResourceAddress.For<V1DaemonSet>(null), selector))
                .Select(item => (Item: item, Kind: "DaemonSet", Ready: Readiness.DaemonSetAvailable.Check(item).Ready)));
        }

        var ready = workloads.FirstOrDefault(workload => workload.Ready).Item;
        var chosen = ready ?? workloads.FirstOrDefault().Item;
        if (chosen is null)
        {
            return new IngressControllerState(ingressClass, controller, null, false, null);
        }

        var ns = chosen["metadata"]!["namespace"]!.GetValue<string>();
        var services = Items(await servicesRead).Where(service => service["metadata"]?["namespace"]?.GetValue<string>() == ns && HasLabel(service, selector));
        var balanced = services.Where(service => service["spec"]?["type"]?.GetValue<string>() == "LoadBalancer").ToList();
        var address = balanced.Select(Readiness.AddressOf).FirstOrDefault(value => value is not null);
        return new IngressControllerState(ingressClass, controller, $"{ns}/{chosen["metadata"]!["name"]}", ready is not null, address)
        {
            BehindLoadBalancer = balanced.Count > 0,
            DefaultCertificate = DefaultCertificate(chosen),
        };
    }

    /// <param name="fresh">Read the cluster as it is now (a wait after an install), not the run's view.</param>
    public async Task<CertManagerState> CertManagerAsync(CancellationToken cancellationToken, bool fresh = false)
    {
        var api = (await connector.ConnectAsync(cancellationToken)).Api;
        var missing = new List<string>();
        var crds = ResourceAddress.For<V1CustomResourceDefinition>(null);
        // Its chart (and its static manifests) label the CRDs: one list finds them all; one installed otherwise is read by name.
        var labelled = Items(fresh ? await api.ListAsync(crds, CertManagerCrdSelector, cancellationToken) : await api.ReadListAsync(crds, CertManagerCrdSelector, cancellationToken));
        foreach (var crd in CertManagerCrds)
        {
            var found = labelled.FirstOrDefault(item => item["metadata"]?["name"]?.GetValue<string>() == crd)
                ?? (fresh ? await api.GetAsync(crds with { Name = crd }, cancellationToken) : await api.ReadAsync(crds with { Name = crd }, cancellationToken));
            if (found is null)
            {
                missing.Add($"CRD {crd} is missing");
            }
            else if (!Readiness.Established.Check(found).Ready)
            {
                missing.Add($"CRD {crd} is not established");
            }
        }

        var deployments = Items(fresh ? await api.ListAsync(ResourceAddress.For<V1Deployment>(null), null, cancellationToken) : await api.ReadListAsync(ResourceAddress.For<V1Deployment>(null), null, cancellationToken));
        foreach (var name in CertManagerDeployments)
        {
            var deployment = deployments.FirstOrDefault(item => item["metadata"]!["name"]!.GetValue<string>() == name);
            if (deployment is null)
            {
                missing.Add($"Deployment {name} is missing");
            }
            else if (!Readiness.RolledOut.Check(deployment).Ready)
            {
                missing.Add($"Deployment {name} is not available");
            }
        }

        var controller = deployments.FirstOrDefault(item => item["metadata"]!["name"]!.GetValue<string>() == CertManagerDeployments[0]);
        return new CertManagerState(missing)
        {
            GatewayApi = controller is not null && await ServesGatewayApiAsync(api, controller, cancellationToken),
            Controller = controller is null ? null : ResourceAddress.For<V1Deployment>(controller["metadata"]!["namespace"]!.GetValue<string>(), CertManagerDeployments[0]),
        };
    }

    /// <summary>
    /// Whether cert-manager's controller was started with Gateway API support: the flag --enable-gateway-api, or its
    /// configuration file (the chart's <c>config</c> value, a ConfigMap mounted for --config) saying gatewayAPI.enabled
    /// (or the older enableGatewayAPI). It reads either at start only.
    /// </summary>
    private static async Task<bool> ServesGatewayApiAsync(KubernetesApi api, JsonObject deployment, CancellationToken cancellationToken)
    {
        var pod = deployment["spec"]?["template"]?["spec"];
        var container = (pod?["containers"] as JsonArray ?? []).OfType<JsonObject>().FirstOrDefault();
        var args = (container?["args"] as JsonArray ?? []).Select(arg => arg?.GetValue<string>() ?? string.Empty).ToList();
        if (args.Any(arg => arg is "--enable-gateway-api" or "--enable-gateway-api=true"))
        {
            return true;
        }

        if (args.FirstOrDefault(arg => arg.StartsWith("--config=", StringComparison.Ordinal)) is not { } config)
        {
            return false;
        }

        var path = config["--config=".Length..];
        var mount = (container?["volumeMounts"] as JsonArray ?? []).OfType<JsonObject>()
            .FirstOrDefault(each => path.StartsWith(each["mountPath"]!.GetValue<string>().TrimEnd('/') + "/", StringComparison.Ordinal));
        var volume = (pod?["volumes"] as JsonArray ?? []).OfType<JsonObject>().FirstOrDefault(each => each["name"]?.GetValue<string>() == mount?["name"]?.GetValue<string>());
        if (mount is null || volume?["configMap"]?["name"]?.GetValue<string>() is not { } name)
        {
            return false;
        }

        var configMap = await api.GetAsync(ResourceAddress.For<V1ConfigMap>(deployment["metadata"]!["namespace"]!.GetValue<string>(), name), cancellationToken);
        var file = path[(mount["mountPath"]!.GetValue<string>().TrimEnd('/').Length + 1)..];
        if (configMap?["data"]?[file]?.GetValue<string>() is not { } text
            || Manifests.YamlToJson.Documents(text).FirstOrDefault() is not JsonObject settings)
        {
            return false;
        }

        static bool On(JsonNode? node) => node?.ToString() is "true" or "True";
        return settings["gatewayAPI"]?["enabled"] is { } enabled ? On(enabled) : On(settings["enableGatewayAPI"]);
    }

    /// <summary>The charts a Deploy would install, each with why; empty when the cluster has everything.</summary>
    public async Task<IReadOnlyList<string>> ChartsToInstallAsync(Settings.RegistrySettings settings, CancellationToken cancellationToken)
    {
        var charts = new List<string>();
        // With exposure=gateway the Gateway and HttpRoute steps publish the registry; no ingress controller is needed.
        var ingress = settings.Exposure == Settings.Exposure.Gateway ? null : await IngressControllerAsync(settings.IngressClass, cancellationToken);
        if (ingress is { Ready: false } && settings.IngressController != Settings.IngressController.Existing)
        {
            charts.Add($"the {Settings.SettingDefinition.KebabName(settings.IngressController)} ingress controller ({ingress.Describe()})");
        }
        else if (ingress?.AnswersIpHostWithOther(settings) == true)
        {
            charts.Add($"the {Settings.SettingDefinition.KebabName(settings.IngressController)} ingress controller for the IP host {settings.Host} ({ingress.Deployment} answers " +
                "clients of an IP with another certificate than the registry's: Deploy upgrades it when it is the pipeline's release, and stops otherwise)");
        }

        if (settings.Exposure == Settings.Exposure.Gateway && !settings.SharesGateway && settings.GatewayController != Settings.GatewayController.Existing)
        {
            var api = (await connector.ConnectAsync(cancellationToken)).Api;
            var gatewayClass = await api.GetAsync(GatewayApiCrds.GatewayClass(settings.GatewayClassName), cancellationToken);
            if (gatewayClass is null || !Readiness.Accepted.Check(gatewayClass).Ready)
            {
                charts.Add($"the {Settings.SettingDefinition.KebabName(settings.GatewayController)} Gateway API controller (GatewayClass {settings.GatewayClassName} {(gatewayClass is null ? "is missing" : "is not accepted")})");
            }
        }

        var certManager = await CertManagerAsync(cancellationToken);
        if (!certManager.Installed)
        {
            charts.Add($"cert-manager ({certManager.Describe()})");
        }
        else if (settings.Exposure == Settings.Exposure.Gateway && !certManager.GatewayApi)
        {
            // The CertManager step upgrades the pipeline's own release with it (and refuses someone else's for ACME).
            charts.Add("cert-manager with Gateway API support (it runs without)");
        }

        return charts;
    }

    // ingress-nginx's --default-ssl-certificate, the certificate it answers a client with that names no server.
    private static string? DefaultCertificate(JsonObject workload) =>
        (workload["spec"]?["template"]?["spec"]?["containers"]?.AsArray() ?? [])
        .SelectMany(container => container?["args"]?.AsArray() ?? [])
        .Select(arg => arg?.GetValue<string>())
        .Where(arg => arg?.StartsWith(DefaultCertificateFlag, StringComparison.Ordinal) == true)
        .Select(arg => arg![DefaultCertificateFlag.Length..])
        .LastOrDefault();

    private const string DefaultCertificateFlag = "--default-ssl-certificate=";

    private const string CertManagerCrdSelector = "app.kubernetes.io/name=cert-manager";

    // A selector of the form name=value, as the controllers' labels are made from their app names above.
    private static bool HasLabel(JsonObject item, string selector) =>
        selector.Split('=') is [var name, var value] && item["metadata"]?["labels"]?[name]?.GetValue<string>() == value;

    private static List<JsonObject> Items(JsonObject list) => list["items"]?.AsArray().OfType<JsonObject>().ToList() ?? [];
}
