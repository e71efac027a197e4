using Cake.Common.Diagnostics;
using Registry.Build.Host;
using Registry.Build.Kubernetes;
using Registry.Build.Registry;
using Registry.Build.Registry.Retention;
using Registry.Build.State;

namespace Registry.Build.Tasks;

[TaskName("Retention")]
[TaskDescription("Delete the tags retain-count, retain-days and retain-tags do not keep, through the registry's API (their manifests, by digest); GarbageCollect then frees their blobs.")]
[WritesToCluster]
public sealed class RetentionTask(ClusterConnector connector, RunDesiredState desired) : AsyncRegistryTask<BuildContext>
{
    public override bool ShouldRun(BuildContext context) =>
        RetentionRules.Of(context.Settings, DateTimeOffset.UtcNow).Any || Skip("neither retain-count nor retain-days is set: every tag is kept");

    public override async Task RunAsync(BuildContext context)
    {
        var settings = context.Settings;
        var rules = RetentionRules.Of(settings, DateTimeOffset.UtcNow);
        // A GC dry run changes nothing, tags included.
        var dryRun = settings.RetainDryRun || settings.GcDryRun;
        var api = (await connector.ConnectAsync(context.Cancellation)).Api;
        using var client = (await RegistryEndpoint.OpenAsync(settings, api, "Retention", context.Cancellation)).LogIn((await desired.GetAsync(context)).Credentials.Login);
        context.Information($"Retention: {rules.Describe()}{(dryRun ? " (dry run: nothing is deleted)" : string.Empty)}.");
        var verdicts = await new RegistryRetention(client, context.Log).ApplyAsync(rules, dryRun, context.Cancellation);
        var deleted = verdicts.Where(verdict => !verdict.Keep).ToList();
        context.Information(
            $"Retention {(dryRun ? "would delete" : "deleted")} {deleted.Count} of {verdicts.Count} tags ({deleted.Select(verdict => (verdict.Image.Repository, verdict.Image.Digest)).Distinct().Count()} manifests) " +
            $"in {verdicts.Select(verdict => verdict.Image.Repository).Distinct().Count()} repositories{(dryRun || deleted.Count == 0 ? "." : "; GarbageCollect frees their blobs.")}");
    }
}
