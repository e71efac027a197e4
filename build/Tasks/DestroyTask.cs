using Cake.Common.Diagnostics;
using k8s.Models;
using Registry.Build.Host;
using Registry.Build.Inventory;
using Registry.Build.Kubernetes;
using Registry.Build.Prerequisites;
using Registry.Build.State;
using Registry.Build.Tools.Helm;
using Registry.Build.Workspace;

namespace Registry.Build.Tasks;

[TaskName("Destroy")]
[TaskDescription("Remove what Deploy created, as its inventory records it (only with --confirm=true).")]
[WritesToCluster]
public sealed class DestroyTask(
    ClusterConnector connector, ClusterPrerequisites prerequisites, InstalledCharts installed, ClusterHelm helm, HelmLocator locator,
    HelmInstallation installation, ToolsDirectory tools, WaitPolling polling)
    : AsyncRegistryTask<BuildContext>
{
    public override async Task RunAsync(BuildContext context)
    {
        var settings = context.Settings;
        var api = (await connector.ConnectAsync(context.Cancellation)).Api;
        var namespaceAddress = ResourceAddress.For<V1Namespace>(null, settings.Namespace);
        if (await api.GetAsync(namespaceAddress, context.Cancellation) is not { } ns)
        {
            context.Information($"Namespace {settings.Namespace} does not exist: nothing of the registry's is there to remove.");
            // Its inventory went with it; what the pipeline wrote outside it is found by the inventory's label.
            var applySetOfGone = new ApplySet(settings.Namespace);
            foreach (var member in await applySetOfGone.MembersAsync(api, ["ConfigMap"], [Declaration.LocalRegistryHostingNamespace], context.Cancellation))
            {
                foreach (var deleted in await applySetOfGone.DeleteMemberAsync(api, member, context.Cancellation))
                {
                    context.Information($"{deleted}: deleted.");
                }
            }

            if (settings.PurgePrerequisites)
            {
                context.Information("purge-prerequisites: the record of the charts this pipeline installed was in that namespace, so no chart is uninstalled.");
            }

            return;
        }

        // Only the inventory's members: an object without its label is someone else's, whatever its name.
        var applySet = new ApplySet(settings.Namespace);
        var parent = await api.GetAsync(applySet.ParentAddress, context.Cancellation);
        if (parent is null)
        {
            context.Information(
                $"Namespace {settings.Namespace} has no inventory ({applySet.ParentAddress}), so nothing there is recorded as this pipeline's. " +
                "A registry deployed by a version before the inventory is adopted by the next Deploy; Destroy then removes it.");
        }

        var members = (await applySet.MembersAsync(api, ApplySet.GroupKindsOf(parent), ApplySet.NamespacesOf(parent), context.Cancellation))
            .Where(member => member["kind"]!.GetValue<string>() != "Namespace")
            .OrderByDescending(member => member["metadata"]?["creationTimestamp"]?.GetValue<string>(), StringComparer.Ordinal)
            .ToList();
        var kept = new List<string>();
        var removed = 0;
        foreach (var member in members)
        {
            var address = ApplySet.AddressOf(member);
            if (ApplySet.HoldsData(member) && !settings.PurgeData)
            {
                kept.Add(address.ToString());
                continue;
            }

            foreach (var deleted in await applySet.DeleteMemberAsync(api, member, context.Cancellation))
            {
                context.Information($"{deleted}: deleted");
                removed++;
            }
        }

        if (settings.PurgeData)
        {
            // What cert-manager wrote for the registry's Certificates: its certificate and key, and the private CA clients trusted.
            foreach (var deleted in await applySet.DeleteMadeForAsync(api, context.Cancellation))
            {
                context.Information($"{deleted}: deleted (written by cert-manager for this pipeline's Certificate)");
                removed++;
            }
        }

        context.Information(removed == 0 ? $"Nothing of the registry's is left to remove in {settings.Namespace}." : $"Removed {removed} objects.");
        if (kept.Count > 0)
        {
            context.Information($"Kept what holds data: {string.Join(", ", kept)}; purge-data=true removes it.");
        }

        if (settings.PurgePrerequisites)
        {
            await UninstallChartsAsync(context);
        }
        else if (settings.PurgeData && applySet.IsMember(ns) && InstalledCharts.Parse(parent) is { Count: > 0 } charts)
        {
            context.Warning(
                $"The record that this pipeline installed {string.Join(", ", charts)} goes with namespace {settings.Namespace}: " +
                "after this, purge-prerequisites will treat them as someone else's. Run Destroy with purge-prerequisites=true first to uninstall them.");
        }

        if (!applySet.IsMember(ns))
        {
            context.Information($"Namespace {settings.Namespace} was not created by this pipeline: it stays as it is.");
        }
        else if (!settings.PurgeData)
        {
            context.Information($"Kept namespace {settings.Namespace} (created by this pipeline); purge-data=true removes it when nothing else lives there.");
            return;
        }
        else if (await NamespaceContents.ForeignAsync(
            api, applySet, members.Select(member => member["metadata"]?["uid"]?.GetValue<string>()).OfType<string>(), context.Cancellation) is { Count: > 0 } foreign)
        {
            context.Warning($"Kept namespace {settings.Namespace}: it holds what this pipeline did not create: {string.Join(", ", foreign)}.");
            return;
        }
        else
        {
            await api.DeleteAsync(namespaceAddress, context.Cancellation);
            context.Information($"{namespaceAddress}: deleted; waiting until Kubernetes has removed what was in it...");
            await new ReadinessWaiter(api, context.Log, polling.Interval).WaitUntilGoneAsync(namespaceAddress, settings.WaitTimeout, "wait-timeout", context.Cancellation);
            return;
        }

        // The namespace stays: the parent goes once it records nothing (no member, no chart), as nothing is left to find again.
        if (kept.Count == 0 && (await installed.ReadAsync(settings, context.Cancellation)).Count == 0 && parent is not null)
        {
            await api.DeleteAsync(applySet.ParentAddress, context.Cancellation);
            context.Information($"{applySet.ParentAddress}: deleted (the inventory records nothing any more)");
        }
    }

    // Namespaces where an inventory of this pipeline lives, other than this one.
    private async Task<IReadOnlyList<string>> OtherRegistriesAsync(BuildContext context)
    {
        var api = (await connector.ConnectAsync(context.Cancellation)).Api;
        var parents = await api.ListAsync(ResourceAddress.For<V1ConfigMap>(null), ApplySet.IdLabel, context.Cancellation);
        return (parents["items"]?.AsArray().OfType<System.Text.Json.Nodes.JsonObject>() ?? [])
            .Where(parent => parent["metadata"]?["annotations"]?[ApplySet.ToolingAnnotation]?.GetValue<string>() == ApplySet.Tooling)
            .Select(parent => parent["metadata"]?["namespace"]?.GetValue<string>())
            .OfType<string>()
            .Where(ns => ns != context.Settings.Namespace)
            .ToList();
    }

    // Only the charts this pipeline installed; a cert-manager or ingress controller someone else installed stays.
    private async Task UninstallChartsAsync(BuildContext context)
    {
        var settings = context.Settings;
        var charts = await installed.ReadAsync(settings, context.Cancellation);
        var others = await OtherRegistriesAsync(context);
        if (charts.Count > 0 && others.Count > 0)
        {
            // cert-manager and the ingress controller serve the whole cluster: another registry of this pipeline needs them too.
            context.Information($"Kept {string.Join(", ", charts)}: the registry pipeline{(others.Count == 1 ? string.Empty : "s")} in {string.Join(", ", others)} use{(others.Count == 1 ? "s" : string.Empty)} them too.");
            return;
        }

        if (charts.Count > 0)
        {
            installation.Client ??= await locator.FindOrInstallAsync(settings, tools.Path, context.Cancellation);
        }

        foreach (var chart in charts)
        {
            await helm.UninstallAsync(chart.Release, chart.Namespace, context.Cancellation);
            await installed.ForgetAsync(settings, chart, context.Cancellation);
            context.Information($"Uninstalled {chart}, which this pipeline installed.");
        }

        // Envoy Gateway's chart makes no GatewayClass, so the pipeline made one; it goes with the controller it names.
        // The Gateway API CRDs stay: deleting them would delete every Gateway and route in the cluster.
        if (charts.Any(chart => chart.Release == "envoy-gateway"))
        {
            var api = (await connector.ConnectAsync(context.Cancellation)).Api;
            var address = GatewayApiCrds.GatewayClass(settings.GatewayClassName);
            if (await api.GetAsync(address, context.Cancellation) is { } gatewayClass
                && gatewayClass["metadata"]?["labels"]?["app.kubernetes.io/managed-by"]?.GetValue<string>() == "registry-pipeline"
                && gatewayClass["spec"]?["controllerName"]?.GetValue<string>() == Charts.GatewayControllerNames[Settings.GatewayController.Envoy])
            {
                await api.DeleteAsync(address, context.Cancellation);
                context.Information($"{address}: deleted, with the Envoy Gateway it named. The Gateway API CRDs stay (other Gateways and routes may use them).");
            }
        }

        // Name what stays, and why; a chart uninstalled just now may leave its CRDs, which say nothing about who runs it.
        var certManager = await prerequisites.CertManagerAsync(context.Cancellation, fresh: true);
        if (charts.All(chart => chart.Release != Charts.CertManager(settings).Name)
            && certManager.Missing.Count < ClusterPrerequisites.CertManagerCrds.Count + ClusterPrerequisites.CertManagerDeployments.Count)
        {
            context.Information("cert-manager stays: this pipeline did not install it.");
        }

        var ingress = await prerequisites.IngressControllerAsync(settings.IngressClass, context.Cancellation, fresh: true);
        if (charts.All(chart => chart.Release != Charts.IngressController(settings, null).Name) && ingress.ClassExists)
        {
            context.Information($"The ingress controller of class {settings.IngressClass} stays: this pipeline did not install it.");
        }
    }
}
