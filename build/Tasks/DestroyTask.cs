using Cake.Common.Diagnostics;
using k8s.Models;
using Registry.Build.Host;
using Registry.Build.Kubernetes;
using Registry.Build.Prerequisites;
using Registry.Build.Registry;
using Registry.Build.Settings;
using Registry.Build.Tls;
using Registry.Build.Tools.Helm;
using Registry.Build.Workspace;

namespace Registry.Build.Tasks;

[TaskName("Destroy")]
[TaskDescription("Remove what Deploy created (only with --confirm=true).")]
[WritesToCluster]
public sealed class DestroyTask(
    ClusterConnector connector, ClusterPrerequisites prerequisites, ClusterHelm helm, HelmLocator locator, HelmInstallation installation, ToolsDirectory tools)
    : AsyncFrostingTask<BuildContext>
{
    private const string ManagedBy = "registry-pipeline";

    public override async Task RunAsync(BuildContext context)
    {
        var settings = context.Settings;
        var api = (await connector.ConnectAsync(context.Cancellation)).Api;
        var removed = 0;
        foreach (var address in Targets(settings))
        {
            var live = await api.GetAsync(address, context.Cancellation);
            if (live is null)
            {
                continue;
            }

            // Only what this pipeline made: an object of the same name someone else owns is theirs.
            if (live["metadata"]?["labels"]?["app.kubernetes.io/managed-by"]?.GetValue<string>() != ManagedBy)
            {
                context.Warning($"{address}: left alone, it was not created by this pipeline.");
                continue;
            }

            await api.DeleteAsync(address, context.Cancellation);
            context.Information($"{address}: deleted");
            removed++;
        }

        context.Information(removed == 0 ? $"Nothing of the registry's is left in {settings.Namespace}." : $"Removed {removed} objects.");
        if (!settings.PurgeData)
        {
            context.Information(
                $"Kept the claim {settings.Namespace}/docker-registry-data with the images, the generated password and the namespace; purge-data=true removes them.");
        }

        if (settings.PurgePrerequisites)
        {
            await UninstallChartsAsync(context);
        }
    }

    // Deploy's objects, last first.
    private static IEnumerable<ResourceAddress> Targets(RegistrySettings settings)
    {
        var ns = settings.Namespace;
        yield return ResourceAddress.For<V1Ingress>(ns, "docker-registry");
        yield return ResourceAddress.For<V1Service>(ns, "docker-registry");
        yield return ResourceAddress.For<V1Deployment>(ns, "docker-registry");
        yield return ResourceAddress.For<V1ConfigMap>(ns, "docker-registry-config");
        yield return ResourceAddress.For<V1Secret>(ns, RegistryCredentials.HttpSecretName);
        yield return ResourceAddress.For<V1Secret>(ns, RegistryCredentials.HtpasswdSecret);
        yield return ResourceAddress.For<Kubernetes.CertManager.Certificate>(ns, settings.TlsSecret);
        yield return ResourceAddress.For<Kubernetes.CertManager.Issuer>(ns, "registry-ca");
        yield return ResourceAddress.For<Kubernetes.CertManager.Certificate>(ns, PrivateCa.SecretName);
        yield return ResourceAddress.For<Kubernetes.CertManager.Issuer>(ns, "selfsigned");
        yield return ResourceAddress.For<Kubernetes.CertManager.Issuer>(ns, "letsencrypt");
        if (settings.PurgeData)
        {
            yield return ResourceAddress.For<V1PersistentVolumeClaim>(ns, "docker-registry-data");
            yield return ResourceAddress.For<V1Secret>(ns, RegistryCredentials.PasswordSecret);
            yield return ResourceAddress.For<V1Namespace>(null, ns);
        }
    }

    private async Task UninstallChartsAsync(BuildContext context)
    {
        var settings = context.Settings;
        var certManager = await prerequisites.CertManagerAsync(context.Cancellation);
        var ingress = await prerequisites.IngressControllerAsync(settings.IngressClass, context.Cancellation);
        var releases = new List<(string Release, string Namespace)>();
        if (certManager.Missing.Count < ClusterPrerequisites.CertManagerCrds.Count + ClusterPrerequisites.CertManagerDeployments.Count)
        {
            releases.Add(("cert-manager", "cert-manager"));
        }

        if (ingress.Deployment is { } controller && settings.IngressController != IngressController.Existing)
        {
            releases.Add((Charts.IngressController(settings, string.Empty).Name, controller.Split('/')[0]));
        }

        if (releases.Count == 0)
        {
            context.Information("purge-prerequisites: neither cert-manager nor the ingress controller is installed.");
            return;
        }

        installation.Client ??= await locator.FindOrInstallAsync(settings, tools.Path, context.Cancellation);
        foreach (var (release, ns) in releases)
        {
            await helm.UninstallAsync(release, ns, context.Cancellation);
            context.Information($"Uninstalled the {release} chart from {ns}.");
        }
    }
}
