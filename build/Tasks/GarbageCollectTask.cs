using Cake.Common.Diagnostics;
using System.Net;
using Cake.Core;
using Registry.Build.Host;
using Registry.Build.Kubernetes;
using Registry.Build.Registry;
using Registry.Build.State;

namespace Registry.Build.Tasks;

[TaskName("GarbageCollect")]
[TaskDescription("Free the blobs no image uses: the registry goes read-only, registry garbage-collect runs as a Job on its store, then it returns to read-write on fresh pods (gc-dry-run: only lists).")]
[IsDependentOn(typeof(RetentionTask))]
[WritesToCluster]
public sealed class GarbageCollectTask(ClusterConnector connector, RunDesiredState desired, Declaration declaration, WaitPolling polling) : AsyncRegistryTask<BuildContext>
{
    public override async Task RunAsync(BuildContext context)
    {
        var settings = context.Settings;
        if (settings.Mode == Settings.RegistryMode.Proxy)
        {
            // Read-only stops HTTP writes only: a cache keeps storing what it fetches while garbage-collect would sweep.
            throw new CakeException("GarbageCollect is for mode=registry: a pull-through cache writes what it fetches even when read-only, so a sweep could delete a layer it is storing. A cache frees its store itself, by proxy-ttl.");
        }

        var api = (await connector.ConnectAsync(context.Cancellation)).Api;
        var state = await desired.GetAsync(context);
        var readOnly = await desired.ReadOnlyAsync(context);
        var window = new ReadOnlyWindow(api, context.Log, polling.Interval);
        await window.CheckDeployedAsync(state, readOnly, settings.Namespace, context.Cancellation);
        var job = new GarbageCollectJob(api, context.Log, polling.Interval);
        if (await job.RunningPodAsync(settings.Namespace, context.Cancellation) is { } running)
        {
            throw new CakeException($"Pod {settings.Namespace}/{running} of an earlier GarbageCollect is still running (its run was stopped): wait until it has finished, then run GarbageCollect again.");
        }

        var name = $"docker-registry-garbage-collect-{DateTimeOffset.UtcNow:yyyyMMdd-HHmmss}";
        if (settings.GcDryRun)
        {
            // Nothing is deleted, so nothing can race it: the registry stays read-write.
            Report(context, await job.RunAsync(declaration.GarbageCollectJob(settings, state, name), settings.GcTimeout, context.Cancellation), dryRun: true);
            return;
        }

        // Checked before the window opens: without a working login the read-only switch could not be verified, and each
        // switch costs the pods a restart.
        using var client = (await RegistryEndpoint.OpenAsync(settings, api, "GarbageCollect", context.Cancellation)).LogIn(state.Credentials.Login);
        await CheckLoginAsync(settings, client, context.Cancellation);
        IReadOnlyList<string> log;
        try
        {
            // Stop-the-world, as distribution asks: a blob uploaded while garbage-collect marks would be deleted under its image.
            await window.SwitchAsync(readOnly, settings.WaitTimeout, context.Cancellation);
            await window.WaitUntilPushesRefusedAsync(client, settings.WaitTimeout, context.Cancellation);
            log = await job.RunAsync(declaration.GarbageCollectJob(settings, readOnly, name), settings.GcTimeout, context.Cancellation);
        }
        catch (Exception failure) when (failure is not StillCollectingException)
        {
            await ReturnToReadWriteAsync(context, window, state, failure);
            throw;
        }

        // New pods, so no replica serves a deleted blob from its in-memory descriptor cache.
        await ReturnToReadWriteAsync(context, window, state, null);
        Report(context, log, dryRun: false);
    }

    private static async Task CheckLoginAsync(Settings.RegistrySettings settings, Registry.Oci.RegistryClient client, CancellationToken cancellationToken)
    {
        HttpStatusCode status;
        try
        {
            status = (await client.PingAsync(authenticate: true, cancellationToken)).Status;
        }
        catch (HttpRequestException exception)
        {
            throw new CakeException($"GarbageCollect cannot reach the registry at {settings.RegistryAddress} ({exception.Message}), so it could not check the read-only switch: nothing was changed. Check host (or registry-url).");
        }

        if (status != HttpStatusCode.OK)
        {
            throw new CakeException($"The registry at {settings.RegistryAddress} answered {(int)status} {status} to user {settings.User}'s login, so GarbageCollect could not check the read-only switch: nothing was changed. Give the password the registry has ($REGISTRY_PASSWORD or password-file).");
        }
    }

    private static async Task ReturnToReadWriteAsync(BuildContext context, ReadOnlyWindow window, DesiredState state, Exception? failure)
    {
        try
        {
            // Not the run's token: a cancelled run must still leave the registry writable.
            await window.SwitchAsync(state, context.Settings.WaitTimeout, CancellationToken.None);
            context.Information("The registry is read-write again, on new pods.");
        }
        catch (Exception exception) when (failure is not null)
        {
            var stuck = $"Returning the registry to read-write failed too ({exception.Message}): it is still read-only. Run Deploy with the same settings to make it writable.";
            context.Error(stuck);
        }
    }

    private static void Report(BuildContext context, IReadOnlyList<string> log, bool dryRun)
    {
        var report = GarbageCollectReport.Of(log);
        if (report.Marked is null)
        {
            // The Job completed, so garbage-collect did; its log may have been rotated away on the node.
            context.Warning("The garbage-collect Job completed, but the log read back has no summary line (\"N blobs marked, …\"); what it freed is not known.");
        }

        context.Information($"GarbageCollect: {report.Describe(dryRun)}");
    }
}
