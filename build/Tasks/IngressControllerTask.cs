using Cake.Common.Diagnostics;
using Cake.Core;
using Registry.Build.Host;
using Registry.Build.Kubernetes;
using Registry.Build.LocalCluster;
using Registry.Build.Prerequisites;
using Registry.Build.Settings;
using Registry.Build.Tools.Minikube;

namespace Registry.Build.Tasks;

[TaskName("IngressController")]
[TaskDescription("Make sure an ingress controller serves the ingress class (guide step 2).")]
[IsDependentOn(typeof(TillerTask))]
[WritesToCluster]
public sealed class IngressControllerTask(
    ClusterPrerequisites prerequisites, ClusterHelm helm, ClusterConnector connector, MinikubeRunner minikube, WaitPolling polling, LocalDistributions distributions,
    InstalledCharts charts)
    : AsyncRegistryTask<BuildContext>
{
    private IngressControllerState? state;

    public override bool ShouldRun(BuildContext context)
    {
        if (context.Settings.Exposure == Settings.Exposure.Gateway)
        {
            return Skip("exposure is gateway: the registry needs no ingress controller");
        }

        state = prerequisites.IngressControllerAsync(context.Settings.IngressClass, context.Cancellation).GetAwaiter().GetResult();
        return !state.Ready || state.AnswersIpHostWithOther(context.Settings) || Skip(state.Describe());
    }

    public override async Task RunAsync(BuildContext context)
    {
        var settings = context.Settings;
        var cluster = await connector.ConnectAsync(context.Cancellation);
        var distribution = await distributions.DetectAsync(settings.IngressClass, context.Cancellation);
        // Ready, yet answering with another certificate than an IP host needs: the pipeline's own release is
        // upgraded with it as the default; anyone else's controller is not changed.
        var ownRelease = state!.Ready && await OwnsControllerAsync(context, state);
        if (state.Ready && !ownRelease)
        {
            throw OtherCertificate(settings, state, distribution, cluster.Context);
        }

        if (settings.IngressController == IngressController.Existing)
        {
            // The controller the distribution ships (k3s's Traefik) may still be starting on a cluster made a moment ago.
            if (distribution?.IngressClass != settings.IngressClass)
            {
                throw new CakeException(
                    $"ingress-controller is existing, but {state!.Describe()}. Install an ingress controller for class " +
                    $"{settings.IngressClass}, set ingress-class to the class the cluster has, or set ingress-controller to nginx or traefik to let the pipeline install one.");
            }

            state = await WaitForControllerAsync(context, $"{distribution.Name}'s own controller did not become ready:", classMayAppear: true);
        }
        // Served on minikube's node IP, the registry needs the controller's default certificate, which the addon
        // has only when configured for it: the pipeline installs a controller of its own there instead.
        else if (settings.IngressController == IngressController.Nginx && (distribution?.IsMinikube == true || cluster.Context.StartsWith("minikube", StringComparison.Ordinal))
            && !settings.HostIsAddress && !ownRelease && minikube.EnableAddon("ingress", cluster.Context))
        {
            context.Information("Enabled minikube's ingress addon, as the guide does.");
            state = await WaitForControllerAsync(context, "minikube's ingress addon was enabled, but", classMayAppear: false);
        }
        else
        {
            if (settings.IngressController == IngressController.Nginx)
            {
                var retired = $"ingress-nginx was retired in March 2026 and {Charts.IngressNginxVersion} is its last chart; its maintainers advise against new installs. Consider --ingress-controller=traefik.";
                context.Warning(retired);
            }

            await helm.UpgradeInstallAsync(Charts.IngressController(settings, distribution), settings, context.Cancellation);
            state = await WaitForControllerAsync(context, $"the {SettingDefinition.KebabName(settings.IngressController)} controller was installed, but", classMayAppear: false);
            // minikube is known to give none.
            if (distribution?.IsMinikube != true)
            {
                state = await WaitForAddressAsync(context, state);
            }
        }

        var address = state!.ExternalAddress ?? "none yet (a cluster without a load balancer gives it none)";
        context.Information($"{state.Describe()}; external address: {address}.");
    }

    // A new controller's load balancer takes a minute or two to get its address on a cloud, and the Dns step needs it
    // (neither Helm 4's watcher nor the workload wait for it); a cluster without a load balancer never gives one, so
    // the wait is short and its end is no failure.
    private async Task<IngressControllerState> WaitForAddressAsync(BuildContext context, IngressControllerState state)
    {
        var limit = TimeSpan.FromTicks(Math.Min(context.Settings.WaitTimeout.Ticks, AddressWait.Ticks));
        var started = DateTimeOffset.UtcNow;
        var said = false;
        while (state is { BehindLoadBalancer: true, ExternalAddress: null } && DateTimeOffset.UtcNow - started < limit)
        {
            if (!said)
            {
                context.Information($"Waiting up to {Settings.Duration.Format(limit)} for the controller's load balancer to get an address...");
                said = true;
            }

            await Task.Delay(polling.Interval, context.Cancellation);
            state = await prerequisites.IngressControllerAsync(context.Settings.IngressClass, context.Cancellation, fresh: true);
        }

        return state;
    }

    // The release this step installed (recorded on the inventory's parent) runs the controller it found.
    private async Task<bool> OwnsControllerAsync(BuildContext context, IngressControllerState found)
    {
        var release = Charts.IngressController(context.Settings, await distributions.DetectAsync(context.Settings.IngressClass, context.Cancellation));
        return found.Deployment?.StartsWith(release.Namespace + "/", StringComparison.Ordinal) == true
            && await charts.OwnsAsync(context.Settings, release, context.Cancellation);
    }

    private static CakeException OtherCertificate(RegistrySettings settings, IngressControllerState state, LocalDistribution? distribution, string context)
    {
        var expected = $"{settings.Namespace}/{settings.TlsSecret}";
        var fix = state.Controller == "traefik.io/ingress-controller"
            ? "Traefik answers such clients with a certificate from its own namespace only; set ingress-class to a class served by ingress-nginx (or one the pipeline may install)"
            : distribution?.IsMinikube == true && state.Deployment == "ingress-nginx/ingress-nginx-controller"
            ? $"To let minikube's ingress addon do so: minikube addons configure ingress -p {context} (enter {expected}), then minikube addons disable ingress -p {context} && minikube addons enable ingress -p {context}, and run again"
            : $"Start it with --default-ssl-certificate={expected} (ingress-nginx), or set ingress-class to a class the pipeline may install a controller for";
        return new CakeException(
            $"host is {settings.Host}, an IP address: clients send no server name to an IP, so the controller {state.Deployment} answers them with its default certificate, " +
            $"which is {(state.DefaultCertificate is { } current ? current : "its own")}, not the registry's {expected}. {fix}; or give host a DNS name that resolves to {settings.Host}.");
    }

    private static readonly TimeSpan AddressWait = TimeSpan.FromMinutes(2);

    // helm may not have waited (Helm 3 on a cluster that gives no load-balancer address), and a distribution's own
    // controller may be starting: wait for the controller's workload, up to wait-timeout.
    /// <param name="classMayAppear">False after helm or the addon returned: they create every object first, so a class still missing will not come.</param>
    private async Task<IngressControllerState> WaitForControllerAsync(BuildContext context, string failure, bool classMayAppear)
    {
        var settings = context.Settings;
        var started = DateTimeOffset.UtcNow;
        string? shown = null;
        while (true)
        {
            var current = await prerequisites.IngressControllerAsync(settings.IngressClass, context.Cancellation, fresh: true);
            if (current.Ready)
            {
                return current;
            }

            if (!classMayAppear && !current.ClassExists)
            {
                throw new CakeException($"{char.ToUpperInvariant(failure[0])}{failure[1..]} {current.Describe()}.");
            }

            if (DateTimeOffset.UtcNow - started >= settings.WaitTimeout)
            {
                throw new CakeException($"{char.ToUpperInvariant(failure[0])}{failure[1..]} {current.Describe()} after {Settings.Duration.Format(settings.WaitTimeout)} (wait-timeout).");
            }

            if (current.Describe() != shown)
            {
                shown = current.Describe();
                context.Information($"Waiting for the controller: {shown}");
            }

            await Task.Delay(polling.Interval, context.Cancellation);
        }
    }
}
