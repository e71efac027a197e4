using System.Text.Json.Nodes;
using Cake.Common.Diagnostics;
using k8s.Models;
using Registry.Build.State;
using Registry.Build.Host;
using Registry.Build.Kubernetes;

namespace Registry.Build.Tasks;

[TaskName("Workload")]
[TaskDescription("Run the registry as a Deployment (the guide's bare Pod, step 9, fixed), with its disruption budget and autoscaler when it has several replicas.")]
[IsDependentOn(typeof(RegistryConfigTask))]
[IsDependentOn(typeof(StorageTask))]
[WritesToCluster]
public sealed class WorkloadTask(ClusterConnector connector, RunDesiredState desired) : ApplyObjectsTask(connector, desired)
{
    /// <summary>Who holds the replica count between the pipeline letting go of it and the autoscaler's first scale.</summary>
    public const string HandoverManager = "registry-pipeline-autoscaler-handover";

    public override async Task RunAsync(BuildContext context)
    {
        if (context.Settings.AutoscaleMax == 0)
        {
            await base.RunAsync(context);
            return;
        }

        var api = (await Connector.ConnectAsync(context.Cancellation)).Api;
        var address = ResourceAddress.For<V1Deployment>(context.Settings.Namespace, Declaration.WorkloadName);
        var live = await api.ReadAsync(address, context.Cancellation);
        // An apply that stops setting spec.replicas removes it, and the Deployment falls back to 1 pod until the
        // autoscaler acts. The count the pipeline set is first applied under another manager, which keeps it, as
        // Kubernetes advises for moving a Deployment to an autoscaler.
        var ownsReplicas = live?["metadata"]?["managedFields"]?.AsArray().Any(entry =>
            entry?["manager"]?.GetValue<string>() == KubernetesApi.FieldManager && entry["fieldsV1"]?["f:spec"]?["f:replicas"] is not null) == true;
        if (ownsReplicas && live!["spec"]?["replicas"]?.GetValue<long>() is { } replicas)
        {
            await HoldReplicasAsync(context, api, address, replicas);
            context.Information($"{address}: its {replicas} replicas are handed over to the autoscaler, which scales from there.");
        }

        await base.RunAsync(context);
        if (live is null)
        {
            // A new Deployment starts with the autoscaler's minimum, not the API server's one.
            await HoldReplicasAsync(context, api, address, context.Settings.Replicas);
        }
    }

    private static Task HoldReplicasAsync(BuildContext context, KubernetesApi api, ResourceAddress address, long replicas) =>
        api.ApplyAsync(address, new JsonObject
        {
            ["apiVersion"] = "apps/v1",
            ["kind"] = "Deployment",
            ["metadata"] = new JsonObject { ["name"] = address.Name, ["namespace"] = address.Namespace },
            ["spec"] = new JsonObject { ["replicas"] = replicas },
        }, dryRun: false, context.Cancellation, HandoverManager);
}
