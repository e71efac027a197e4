using Cake.Common.Diagnostics;
using Cake.Core;
using Registry.Build.Host;
using Registry.Build.Kubernetes;
using Registry.Build.Prerequisites;
using Registry.Build.Settings;
using Registry.Build.Tools.Minikube;

namespace Registry.Build.Tasks;

[TaskName("IngressController")]
[TaskDescription("Make sure an ingress controller serves the ingress class (guide step 2).")]
[IsDependentOn(typeof(TillerTask))]
[WritesToCluster]
public sealed class IngressControllerTask(ClusterPrerequisites prerequisites, ClusterHelm helm, ClusterConnector connector, MinikubeRunner minikube, WaitPolling polling)
    : AsyncFrostingTask<BuildContext>
{
    private IngressControllerState? state;

    public override bool ShouldRun(BuildContext context)
    {
        state = prerequisites.IngressControllerAsync(context.Settings.IngressClass, context.Cancellation).GetAwaiter().GetResult();
        return !state.Ready || Skip(state.Describe());
    }

    public override async Task RunAsync(BuildContext context)
    {
        var settings = context.Settings;
        if (settings.IngressController == IngressController.Existing)
        {
            throw new CakeException(
                $"ingress-controller is existing, but {state!.Describe()}. Install an ingress controller for class " +
                $"{settings.IngressClass}, set ingress-class to the class the cluster has, or set ingress-controller to nginx or traefik to let the pipeline install one.");
        }

        var cluster = await connector.ConnectAsync(context.Cancellation);
        if (settings.IngressController == IngressController.Nginx && cluster.Context.StartsWith("minikube", StringComparison.Ordinal)
            && minikube.EnableAddon("ingress", cluster.Context))
        {
            context.Information("Enabled minikube's ingress addon, as the guide does.");
        }
        else
        {
            if (settings.IngressController == IngressController.Nginx)
            {
                var retired = $"ingress-nginx was retired in March 2026 and {Charts.IngressNginxVersion} is its last chart; its maintainers advise against new installs. Consider --ingress-controller=traefik.";
                context.Warning(retired);
            }

            await helm.UpgradeInstallAsync(Charts.IngressController(settings, cluster.Context), settings, context.Cancellation);
        }

        // helm may not have waited (Helm 3 on a cluster that gives no load-balancer address): wait for the controller itself.
        var started = DateTimeOffset.UtcNow;
        string? shown = null;
        while (true)
        {
            state = await prerequisites.IngressControllerAsync(settings.IngressClass, context.Cancellation);
            if (state.Ready)
            {
                break;
            }

            // helm (or the addon) has created every object by the time it returns: a class still missing will not come.
            if (!state.ClassExists || DateTimeOffset.UtcNow - started >= settings.WaitTimeout)
            {
                throw new CakeException($"The {SettingDefinition.KebabName(settings.IngressController)} controller was installed, but {state.Describe()}.");
            }

            if (state.Describe() != shown)
            {
                shown = state.Describe();
                context.Information($"Waiting for the controller: {shown}");
            }

            await Task.Delay(polling.Interval, context.Cancellation);
        }

        var address = state.ExternalAddress ?? "none yet (a cluster without a load balancer gives it none)";
        context.Information($"{state.Describe()}; external address: {address}.");
    }
}
