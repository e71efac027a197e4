using System.Text.Json.Nodes;
using Cake.Core;
using Cake.Core.Diagnostics;
using Registry.Build.Kubernetes;
using Registry.Build.Manifests;

namespace Registry.Build.Prerequisites;

/// <summary>
/// The Gateway API's CustomResourceDefinitions: which release and channel the cluster serves, and the pinned
/// standard-channel release installed from its Helm-free manifest when it serves none. CRDs that are there are never
/// replaced: an older release or the experimental channel is someone's choice (and v1.5+ refuses experimental CRDs
/// over standard ones, and standard over experimental, with its ValidatingAdmissionPolicy).
/// </summary>
public sealed class GatewayApiCrds(KubernetesApi api, ICakeLog log)
{
    /// <summary>Gateway API v1.6.1, 2026-07-16 (checked 2026-12 in kubernetes-sigs/gateway-api).</summary>
    public const string Version = "v1.6.1";

    private const string GatewaysCrd = "gateways.gateway.networking.k8s.io";
    private static readonly ResourceAddress Crds = new("apiextensions.k8s.io", "v1", "customresourcedefinitions", "CustomResourceDefinition", null, string.Empty);

    /// <summary>Where a GatewayClass is: they are cluster-wide.</summary>
    public static ResourceAddress GatewayClass(string name) => new("gateway.networking.k8s.io", "v1", "gatewayclasses", "GatewayClass", null, name);

    /// <summary>The release and channel the cluster's Gateway CRD says it comes from; null when there is none.</summary>
    public async Task<(string Version, string Channel)?> DetectAsync(CancellationToken cancellationToken)
    {
        var crd = await api.ReadAsync(Crds with { Name = GatewaysCrd }, cancellationToken);
        if (crd is null)
        {
            return null;
        }

        var annotations = crd["metadata"]?["annotations"];
        return (annotations?["gateway.networking.k8s.io/bundle-version"]?.GetValue<string>() ?? "an unknown release",
            annotations?["gateway.networking.k8s.io/channel"]?.GetValue<string>() ?? "unknown");
    }

    /// <summary>Applies the pinned release's standard-install.yaml, then waits until each of its CRDs is served.</summary>
    public async Task InstallAsync(Uri downloads, TimeSpan timeout, TimeSpan pollInterval, CancellationToken cancellationToken)
    {
        var url = new Uri(new Uri(downloads.ToString().TrimEnd('/') + "/"), $"{Version}/standard-install.yaml");
        log.Information($"Installing the Gateway API {Version} CRDs (standard channel) from {url}...");
        string text;
        using (var http = new HttpClient { Timeout = TimeSpan.FromMinutes(2) })
        {
            try
            {
                text = await http.GetStringAsync(url, cancellationToken);
            }
            catch (HttpRequestException exception)
            {
                throw new CakeException(
                    $"Cannot download the Gateway API CRDs from {url}: {exception.Message}. Set gateway-api-download-url to a mirror of " +
                    $"https://github.com/kubernetes-sigs/gateway-api/releases/download that has {Version}/standard-install.yaml, or install them yourself.");
            }
        }

        var documents = YamlToJson.Documents(text).OfType<JsonObject>().ToList();
        var crds = new List<ResourceAddress>();
        foreach (var document in documents)
        {
            var address = AddressOf(document, url);
            await api.ApplyAsync(address, document, dryRun: false, cancellationToken);
            if (address.Kind == "CustomResourceDefinition")
            {
                crds.Add(address);
            }
        }

        if (!crds.Any(crd => crd.Name == GatewaysCrd))
        {
            throw new CakeException($"{url} holds no {GatewaysCrd} CustomResourceDefinition: it is not the Gateway API's standard-install.yaml.");
        }

        var waiter = new ReadinessWaiter(api, log, pollInterval);
        foreach (var crd in crds)
        {
            await waiter.WaitAsync(crd, Readiness.Established, timeout, cancellationToken);
        }
    }

    // What the manifest holds: the CRDs and the safe-upgrades ValidatingAdmissionPolicy with its binding, all cluster-wide.
    private static ResourceAddress AddressOf(JsonObject document, Uri url)
    {
        var kind = document["kind"]?.GetValue<string>();
        var name = document["metadata"]?["name"]?.GetValue<string>() ?? string.Empty;
        return kind switch
        {
            "CustomResourceDefinition" => Crds with { Name = name },
            "ValidatingAdmissionPolicy" => new("admissionregistration.k8s.io", "v1", "validatingadmissionpolicies", kind, null, name),
            "ValidatingAdmissionPolicyBinding" => new("admissionregistration.k8s.io", "v1", "validatingadmissionpolicybindings", kind, null, name),
            _ => throw new CakeException($"{url} holds a {kind} {name}, which the Gateway API's standard install does not; nothing more was applied."),
        };
    }
}
