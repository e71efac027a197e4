using Cake.Common.Diagnostics;
using Registry.Build.Host;
using Registry.Build.Kubernetes;
using Registry.Build.Prerequisites;
using Registry.Build.Registry;

namespace Registry.Build.Tasks;

[TaskName("Plan")]
[TaskDescription("Show what Deploy would create or change, and write nothing.")]
[IsDependentOn(typeof(ValidateTask))]
public sealed class PlanTask(
    ClusterConnector connector, ClusterPrerequisites prerequisites, RegistryDeployment registry, DeploymentManifests manifests, RunOutcome outcome)
    : AsyncFrostingTask<BuildContext>
{
    /// <summary>The exit code of a plan with changes pending, with detailed-exitcode=true.</summary>
    public const int ChangesPending = 2;

    public override async Task RunAsync(BuildContext context)
    {
        var settings = context.Settings;
        var applier = new ObjectApplier((await connector.ConnectAsync(context.Cancellation)).Api, context.Log);
        var steps = manifests.Build(settings, await registry.CredentialsAsync(context));

        var lines = new List<string>();
        var tasks = new List<string>();
        foreach (var chart in await prerequisites.ChartsToInstallAsync(settings, context.Cancellation))
        {
            lines.Add($"install   {chart}");
            tasks.Add("Helm");
        }

        var (create, update, unchanged) = (0, 0, 0);
        foreach (var (task, items) in steps)
        {
            foreach (var item in items)
            {
                var plan = await applier.PlanAsync(item, context.Cancellation);
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

                if (plan.Action != ApplyAction.Unchanged && !tasks.Contains(task))
                {
                    tasks.Add(task);
                }
            }
        }

        foreach (var line in lines)
        {
            context.Information(line);
        }

        var pending = tasks.Count > 0;
        var summary = $"Plan: {create} to create, {update} to update, {unchanged} unchanged" +
            (pending ? $"; Deploy would run {string.Join(", ", tasks.Distinct())}." : "; Deploy would change nothing.");
        context.Information(summary);
        if (pending && settings.DetailedExitcode)
        {
            outcome.ExitCode = ChangesPending;
        }
    }
}
