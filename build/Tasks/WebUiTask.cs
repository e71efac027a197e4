using Cake.Common.Diagnostics;
using k8s.Models;
using Registry.Build.Host;
using Registry.Build.Kubernetes;
using Registry.Build.State;

namespace Registry.Build.Tasks;

[TaskName("WebUi")]
[TaskDescription("With web-ui, run the registry's web UI (the guide's last step, which it never finished) and wait until it is rolled out; the Ingress or HTTPRoute serve it beside /v2/.")]
[IsDependentOn(typeof(ServiceTask))]
[WritesToCluster]
public sealed class WebUiTask(ClusterConnector connector, RunDesiredState desired, WaitPolling polling) : ApplyObjectsTask(connector, desired)
{
    public override bool ShouldRun(BuildContext context)
    {
        if (!context.Settings.WebUi)
        {
            // One an earlier run deployed is no longer declared: Prune removes it.
            return Skip("web-ui is false");
        }

        return base.ShouldRun(context) || !IsRolledOut(context) || Skip($"{Address(context)} and its Service are as this pipeline sets them, and rolled out");
    }

    public override async Task RunAsync(BuildContext context)
    {
        await base.RunAsync(context);
        var settings = context.Settings;
        var api = (await Connector.ConnectAsync(context.Cancellation)).Api;
        await new ReadinessWaiter(api, context.Log, polling.Interval).WaitAsync(Address(context), Readiness.RolledOut, settings.WaitTimeout, context.Cancellation);
        context.Information($"The web UI is rolled out; it will be at https://{settings.WebUiHost ?? settings.Host}/.");
    }

    private bool IsRolledOut(BuildContext context)
    {
        var api = Connector.ConnectAsync(context.Cancellation).GetAwaiter().GetResult().Api;
        var live = api.ReadAsync(Address(context), context.Cancellation).GetAwaiter().GetResult();
        return live is not null && Readiness.RolledOut.Check(live).Ready;
    }

    private static ResourceAddress Address(BuildContext context) => ResourceAddress.For<V1Deployment>(context.Settings.Namespace, Declaration.WebUiName);
}
