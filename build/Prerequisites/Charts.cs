using Registry.Build.Settings;
using Registry.Build.Tools.Helm;

namespace Registry.Build.Prerequisites;

/// <summary>The pinned charts the guide's prerequisites come from.</summary>
public static class Charts
{
    /// <summary>ingress-nginx was retired in March 2026; this is its last chart.</summary>
    public const string IngressNginxVersion = "4.15.1";

    public const string TraefikVersion = "38.0.2";

    public static HelmRelease IngressController(RegistrySettings settings) => settings.IngressController switch
    {
        Settings.IngressController.Traefik => new HelmRelease("traefik", "traefik", settings.IngressChartVersion ?? TraefikVersion, "traefik")
        {
            Repository = "https://traefik.github.io/charts",
            Values = new Dictionary<string, string> { ["ingressClass.enabled"] = "true", ["ingressClass.name"] = settings.IngressClass },
        },
        _ => new HelmRelease("ingress-nginx", "ingress-nginx", settings.IngressChartVersion ?? IngressNginxVersion, "ingress-nginx")
        {
            Repository = "https://kubernetes.github.io/ingress-nginx",
            Values = new Dictionary<string, string>
            {
                ["controller.ingressClassResource.name"] = settings.IngressClass,
                ["controller.ingressClass"] = settings.IngressClass,
            },
        },
    };

    public static HelmRelease CertManager(RegistrySettings settings) =>
        new("cert-manager", "oci://quay.io/jetstack/charts/cert-manager", settings.CertManagerVersion, "cert-manager")
        {
            Values = new Dictionary<string, string> { ["crds.enabled"] = "true" },
        };
}
