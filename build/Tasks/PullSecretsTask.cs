using Cake.Common.Diagnostics;
using Registry.Build.Host;
using Registry.Build.Kubernetes;
using Registry.Build.State;

namespace Registry.Build.Tasks;

[TaskName("PullSecrets")]
[TaskDescription("Give the namespaces of pull-secret-namespaces the registry's login as a pull secret (and, when asked, their default ServiceAccount).")]
[IsDependentOn(typeof(CredentialsTask))]
[WritesToCluster]
public sealed class PullSecretsTask(ClusterConnector connector, RunDesiredState desired) : ApplyObjectsTask(connector, desired)
{
    public override bool ShouldRun(BuildContext context) => ShouldRunAsync(context).GetAwaiter().GetResult();

    public override async Task RunAsync(BuildContext context)
    {
        await base.RunAsync(context);
        var settings = context.Settings;
        if (!settings.PullSecretServiceAccounts)
        {
            return;
        }

        var accounts = await AccountsAsync(context);
        foreach (var ns in settings.PullSecretNamespaces)
        {
            if (await accounts.AddAsync(ns, settings.PullSecretName, context.Cancellation))
            {
                context.Information($"ServiceAccount {ns}/{ImagePullSecrets.Account} now lists {settings.PullSecretName} in its imagePullSecrets, after the ones it had.");
            }
        }
    }

    private async Task<bool> ShouldRunAsync(BuildContext context)
    {
        var settings = context.Settings;
        if (settings.PullSecretNamespaces.Count == 0)
        {
            return Skip("pull-secret-namespaces is empty: no namespace is given a pull secret");
        }

        var plans = await PlanAsync(context);
        var lacking = settings.PullSecretServiceAccounts
            ? await (await AccountsAsync(context)).LackingAsync(settings.PullSecretNamespaces, settings.PullSecretName, context.Cancellation)
            : [];
        return plans.Any(plan => plan.Action != ApplyAction.Unchanged) || lacking.Count > 0
            || Skip(Unchanged(plans) + (settings.PullSecretServiceAccounts ? $"; their default ServiceAccounts list {settings.PullSecretName}" : string.Empty));
    }

    private async Task<ImagePullSecrets> AccountsAsync(BuildContext context) =>
        new((await Connector.ConnectAsync(context.Cancellation)).Api);
}
