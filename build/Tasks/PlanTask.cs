using Cake.Common.Diagnostics;
using Registry.Build.Host;
using Registry.Build.Inventory;
using Registry.Build.Kubernetes;
using Registry.Build.Prerequisites;
using Registry.Build.State;

namespace Registry.Build.Tasks;

[TaskName("Plan")]
[TaskDescription("Show what Deploy would create, change or delete, and write nothing.")]
[IsDependentOn(typeof(ValidateTask))]
public sealed class PlanTask(ClusterConnector connector, ClusterPrerequisites prerequisites, RunDesiredState desired, RunOutcome outcome)
    : AsyncRegistryTask<BuildContext>
{
    /// <summary>The exit code of a plan with changes pending, with detailed-exitcode=true.</summary>
    public const int ChangesPending = 2;

    public override async Task RunAsync(BuildContext context)
    {
        var settings = context.Settings;
        var api = (await connector.ConnectAsync(context.Cancellation)).Api;
        var applier = new ObjectApplier(api, context.Log);
        var state = await desired.PreviewAsync(context, api);

        var lines = new List<string>();
        var tasks = new List<string>();
        foreach (var chart in await prerequisites.ChartsToInstallAsync(settings, context.Cancellation))
        {
            lines.Add($"install   {chart}");
            tasks.Add("Helm");
        }

        var conflicts = await state.ConflictsAsync(api, context.Cancellation);
        foreach (var conflict in conflicts)
        {
            lines.Add($"conflict  {conflict}: exists and is not this pipeline's; Deploy would stop before changing anything");
        }

        var (create, update, unchanged, delete) = (0, 0, 0, 0);
        foreach (var item in state.Objects)
        {
            var plan = await applier.PlanAsync(item.Object, context.Cancellation);
            switch (plan.Action)
            {
                case ApplyAction.Created:
                    lines.Add($"create    {plan.Address}");
                    create++;
                    break;
                case ApplyAction.Updated:
                    lines.Add($"update    {plan.Address}: {string.Join(", ", plan.ChangedFields)}");
                    update++;
                    break;
                default:
                    lines.Add($"unchanged {plan.Address}");
                    unchanged++;
                    break;
            }

            if (plan.Action != ApplyAction.Unchanged && !tasks.Contains(TaskNames.Of(item.Step)))
            {
                tasks.Add(TaskNames.Of(item.Step));
            }
        }

        foreach (var orphan in await state.OrphansAsync(api, context.Cancellation))
        {
            if (ApplySet.HoldsData(orphan))
            {
                lines.Add($"keep      {ApplySet.AddressOf(orphan)}: no longer wanted, but it holds data (Destroy with purge-data=true removes it)");
                continue;
            }

            lines.Add($"delete    {ApplySet.AddressOf(orphan)}{(ApplySet.AccountKeyOf(orphan) is { } key ? $" (and its ACME account key, Secret {key}, unless another Issuer uses it)" : string.Empty)}");
            delete++;
            tasks.Add(TaskNames.Of(typeof(PruneTask)));
        }

        // Where the images would be, and what the registry logs in to it with (key names, never their values).
        if (state.Of<RegistryConfigTask>().OfType<k8s.Models.V1ConfigMap>().SingleOrDefault()?.Data["config.yml"] is { } config && Registry.StoreLocation.Of(config) is { } store)
        {
            var keys = state.Credentials.StoreKeys.Keys.ToList();
            lines.Add($"store     {store}; {(keys.Count > 0 ? $"keys {string.Join(", ", keys)} from Secret {Registry.StorageSecret.Name}" : "no keys")}");
        }

        foreach (var line in lines)
        {
            context.Information(line);
        }

        var pending = tasks.Count > 0;
        var summary = (conflicts.Count > 0 ? $"Plan: {conflicts.Count} conflict{(conflicts.Count == 1 ? string.Empty : "s")} would stop Deploy; " : "Plan: ") +
            $"{create} to create, {update} to update, {delete} to delete, {unchanged} unchanged" +
            (pending ? $"; Deploy would run {string.Join(", ", tasks.Distinct())}." : "; Deploy would change nothing.");
        context.Information(summary);
        if (pending && settings.DetailedExitcode)
        {
            outcome.ExitCode = ChangesPending;
        }
    }
}
