using Cake.Common.Diagnostics;
using Registry.Build.Host;
using Registry.Build.Kubernetes;
using Registry.Build.Settings;
using Registry.Build.State;

namespace Registry.Build.Tasks;

[TaskName("NodeTrust")]
[TaskDescription("With trust-ca-on-nodes, make every node's containerd trust the private CA for host, and wait until each node has it.")]
[IsDependentOn(typeof(HttpRouteTask))]
[WritesToCluster]
public sealed class NodeTrustTask(ClusterConnector connector, RunDesiredState desired, WaitPolling polling) : ApplyObjectsTask(connector, desired)
{
    public override bool ShouldRun(BuildContext context)
    {
        var settings = context.Settings;
        if (!settings.TrustCaOnNodes)
        {
            return Skip(settings.Tls == TlsMode.Selfsigned
                ? "trust-ca-on-nodes is false: the nodes trust the private CA only if you install it (README: Nodes trust the private CA)"
                : "trust-ca-on-nodes is false");
        }

        return base.ShouldRun(context) || !IsAvailable(context) || Skip($"{DaemonSet(context)} has put the CA on every node");
    }

    public override async Task RunAsync(BuildContext context)
    {
        await base.RunAsync(context);
        var api = (await Connector.ConnectAsync(context.Cancellation)).Api;
        await new ReadinessWaiter(api, context.Log, polling.Interval).WaitAsync(DaemonSet(context), Readiness.DaemonSetAvailable, context.Settings.WaitTimeout, context.Cancellation);
        context.Information($"Every node's containerd trusts the private CA for {context.Settings.Host} (/etc/containerd/certs.d/{context.Settings.Host}/).");
    }

    private bool IsAvailable(BuildContext context)
    {
        var api = Connector.ConnectAsync(context.Cancellation).GetAwaiter().GetResult().Api;
        var live = api.ReadAsync(DaemonSet(context), context.Cancellation).GetAwaiter().GetResult();
        return live is not null && Readiness.DaemonSetAvailable.Check(live).Ready;
    }

    private static ResourceAddress DaemonSet(BuildContext context) =>
        ResourceAddress.For<k8s.Models.V1DaemonSet>(context.Settings.Namespace, "docker-registry-node-trust");
}
