using k8s.Models;
using Registry.Build.Host;
using Registry.Build.Kubernetes;
using Registry.Build.Manifests;
using Registry.Build.Prerequisites;
using Registry.Build.Tools.Helm;

namespace Registry.Build.Tasks;

[TaskName("Tiller")]
[TaskDescription("Install Tiller, only for a Helm 2 client (guide step 1).")]
[IsDependentOn(typeof(HelmTask))]
[WritesToCluster]
public sealed class TillerTask(
    HelmInstallation installation, ClusterConnector connector, ClusterHelm helm, HelmRunner runner, ManifestTemplates templates)
    : AsyncFrostingTask<BuildContext>
{
    public override bool ShouldRun(BuildContext context) => installation.Client switch
    {
        null => Skip("no Helm client is in use, so no Tiller is needed"),
        { Major: >= 3 } client => Skip($"Helm 3+ has no Tiller ({client})"),
        _ => true,
    };

    // The guide's three commands: a service account, its cluster-admin binding, and helm init.
    public override async Task RunAsync(BuildContext context)
    {
        var values = ManifestValues.From(context.Settings);
        var applier = new ObjectApplier((await connector.ConnectAsync(context.Cancellation)).Api, context.Log);
        await applier.ApplyAsync(templates.Load<V1ServiceAccount>("tiller-serviceaccount.yaml", values), context.Cancellation);
        await applier.ApplyAsync(templates.Load<V1ClusterRoleBinding>("tiller-clusterrolebinding.yaml", values), context.Cancellation);
        runner.InitTiller(installation.Client!, await helm.SettingsAsync(context.Cancellation), "tiller");
    }
}
