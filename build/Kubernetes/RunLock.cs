using System.Globalization;
using System.Net;
using System.Text.Json.Nodes;
using Cake.Core;
using Cake.Core.Diagnostics;
using k8s.Models;
using Registry.Build.Settings;
using Registry.Build.State;

namespace Registry.Build.Kubernetes;

/// <summary>
/// A coordination.k8s.io Lease in the registry's namespace, so a nightly rebuild and a manual Deploy never
/// interleave: the second waits up to lock-timeout, then fails naming the holder. The holder renews it while it
/// runs and deletes it when done; a holder that dies stops renewing, and its lease expires.
/// </summary>
public sealed class RunLock(ClusterConnector connector, Declaration declaration, ICakeLog log) : IAsyncDisposable
{
    public const string Name = "registry-pipeline-lock";

    /// <summary>How long a lease lives without renewal: a killed run blocks others this long at most.</summary>
    public static readonly TimeSpan Duration = TimeSpan.FromSeconds(60);

    private CancellationTokenSource? renewal;
    private Task? renewing;
    private ResourceAddress? address;
    private string? identity;
    private KubernetesApi? api;

    // The lease as this run last wrote it.
    private JsonObject? held;

    /// <param name="createNamespace">Whether the run creates the namespace the lease lives in when it is missing (Deploy), or has nothing to guard then (Destroy).</param>
    /// <remarks>When the namespace is missing and not to be created, no lock is taken and nothing is written.</remarks>
    public async Task AcquireAsync(RegistrySettings settings, string purpose, TimeSpan poll, bool createNamespace, CancellationToken cancellationToken)
    {
        var cluster = (await connector.ConnectAsync(cancellationToken)).Api;
        if (!await NamespaceReadyAsync(cluster, settings, poll, createNamespace, cancellationToken))
        {
            return;
        }

        api = cluster;
        address = new ResourceAddress("coordination.k8s.io", "v1", "leases", "Lease", settings.Namespace, Name);
        identity = $"{Environment.UserName}@{Environment.MachineName} pid {Environment.ProcessId} ({purpose})";

        var started = DateTimeOffset.UtcNow;
        string? announced = null;
        // Most runs find no lease: create it straight away, and read it only when that conflicts.
        var created = await TryCreateAsync(cancellationToken);
        while (!created)
        {
            var lease = await api.GetAsync(address, cancellationToken);
            var now = DateTimeOffset.UtcNow;
            try
            {
                if (lease is null)
                {
                    created = await TryCreateAsync(cancellationToken);
                    continue;
                }

                var holder = lease["spec"]?["holderIdentity"]?.GetValue<string>();
                var renewed = Time(lease["spec"]?["renewTime"]);
                var seconds = lease["spec"]?["leaseDurationSeconds"]?.GetValue<int>() ?? (int)Duration.TotalSeconds;
                if (holder is null || renewed + TimeSpan.FromSeconds(seconds) < now)
                {
                    if (holder is not null)
                    {
                        log.Warning($"Taking over the run lock of {holder}: it was last renewed at {renewed:u} and has expired (that run probably died).");
                    }

                    held = await api.ReplaceAsync(address, Lease(lease["metadata"]!["resourceVersion"]!.GetValue<string>(), now, now), cancellationToken);
                    break;
                }

                var since = Time(lease["spec"]?["acquireTime"]);
                if (now - started >= settings.LockTimeout)
                {
                    throw new CakeException(
                        $"Another run holds the lock on {settings.Namespace}: {holder}, since {since:u} (last renewed {renewed:u}). " +
                        $"Waited {Settings.Duration.Format(settings.LockTimeout)} (lock-timeout). Run again when it is done; nothing was changed.");
                }

                if (announced != holder)
                {
                    log.Information($"Waiting for the run lock on {settings.Namespace}, held by {holder} since {since:u}...");
                    announced = holder;
                }
            }
            catch (KubernetesApiException exception) when (exception.Status == HttpStatusCode.Conflict)
            {
                // Another run took it between our read and our write: read again.
            }

            await Task.Delay(poll, cancellationToken);
        }

        log.Verbose($"Holding the run lock {settings.Namespace}/{Name} as {identity}.");
        renewal = new CancellationTokenSource();
        renewing = RenewAsync(renewal.Token);
    }

    /// <summary>Stops renewing and deletes the lease if it is still this run's.</summary>
    public async ValueTask DisposeAsync()
    {
        if (renewal is null || api is null || address is null)
        {
            return;
        }

        await renewal.CancelAsync();
        try
        {
            await renewing!;
        }
        catch (OperationCanceledException)
        {
        }

        renewal.Dispose();
        renewal = null;
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        // Only if it is still the lease this run last wrote: one that another run took over has another resourceVersion.
        try
        {
            await api.DeleteAsync(address, timeout.Token, preconditionResourceVersion: held?["metadata"]?["resourceVersion"]?.GetValue<string>());
        }
        catch (KubernetesApiException exception) when (exception.Status == HttpStatusCode.Conflict)
        {
            // Changed since this run last wrote it: by another run that took it over (left as it is), or by a renewal
            // whose answer was lost (still this run's, so deleted as it is now).
            var lease = await api.GetAsync(address, timeout.Token);
            if (lease?["spec"]?["holderIdentity"]?.GetValue<string>() == identity)
            {
                await api.DeleteAsync(address, timeout.Token, preconditionResourceVersion: lease!["metadata"]?["resourceVersion"]?.GetValue<string>());
            }
            else
            {
                log.Verbose($"The run lock {address} is no longer this run's; left as it is.");
            }
        }
    }

    private async Task<bool> TryCreateAsync(CancellationToken cancellationToken)
    {
        var now = DateTimeOffset.UtcNow;
        try
        {
            held = await api!.CreateAsync(address!, Lease(null, now, now), dryRun: false, cancellationToken);
            return true;
        }
        catch (KubernetesApiException exception) when (exception.Status == HttpStatusCode.Conflict)
        {
            return false;
        }
    }

    private async Task RenewAsync(CancellationToken cancellationToken)
    {
        while (true)
        {
            await Task.Delay(Duration / 3, cancellationToken);
            try
            {
                var lease = await api!.GetAsync(address!, cancellationToken);
                var ns = lease is null ? await api.GetAsync(ResourceAddress.For<V1Namespace>(null, address!.Namespace!), cancellationToken) : null;
                if (lease is null && (ns is null || ns["metadata"]?["deletionTimestamp"] is not null))
                {
                    // Destroy purged the namespace, and the lease with it: nothing is left to guard.
                    return;
                }

                if (lease?["spec"]?["holderIdentity"]?.GetValue<string>() != identity)
                {
                    log.Error($"The run lock was taken by {lease?["spec"]?["holderIdentity"] ?? "nobody"}; another run may now interleave with this one.");
                    return;
                }

                lease!["spec"]!["renewTime"] = Format(DateTimeOffset.UtcNow);
                held = await api.ReplaceAsync(address!, lease, cancellationToken);
            }
            catch (Exception exception) when (exception is KubernetesApiException or HttpRequestException)
            {
                log.Warning($"Renewing the run lock failed ({exception.Message}); trying again.");
            }
        }
    }

    private JsonObject Lease(string? resourceVersion, DateTimeOffset acquired, DateTimeOffset renewed)
    {
        var metadata = new JsonObject
        {
            ["name"] = Name,
            ["namespace"] = address!.Namespace,
            ["labels"] = new JsonObject { ["app.kubernetes.io/managed-by"] = "registry-pipeline" },
        };
        if (resourceVersion is not null)
        {
            metadata["resourceVersion"] = resourceVersion;
        }

        return new JsonObject
        {
            ["apiVersion"] = "coordination.k8s.io/v1",
            ["kind"] = "Lease",
            ["metadata"] = metadata,
            ["spec"] = new JsonObject
            {
                ["holderIdentity"] = identity,
                ["leaseDurationSeconds"] = (int)Duration.TotalSeconds,
                ["acquireTime"] = Format(acquired),
                ["renewTime"] = Format(renewed),
            },
        };
    }

    // The lease lives in the registry's namespace. One that is being deleted (a purge a moment ago) refuses new
    // objects with 403 until it is gone, so wait for that; a missing one is created as Deploy's Namespace step would.
    private async Task<bool> NamespaceReadyAsync(KubernetesApi cluster, RegistrySettings settings, TimeSpan poll, bool create, CancellationToken cancellationToken)
    {
        var namespaceAddress = ResourceAddress.For<V1Namespace>(null, settings.Namespace);
        // The run's view: a Deploy read its namespace with everything else it made.
        var live = await cluster.ReadAsync(namespaceAddress, cancellationToken);
        if (live?["metadata"]?["deletionTimestamp"] is not null)
        {
            log.Information($"Namespace {settings.Namespace} is being deleted; waiting until it is gone (at most lock-timeout, {Settings.Duration.Format(settings.LockTimeout)})...");
            await new ReadinessWaiter(cluster, log, poll).WaitUntilGoneAsync(namespaceAddress, settings.LockTimeout, "lock-timeout", cancellationToken);
            live = null;
        }

        if (live is not null || !create)
        {
            return live is not null;
        }

        try
        {
            // A create, not an apply: a namespace someone made a moment ago stays theirs, unlabelled.
            await cluster.CreateAsync(namespaceAddress, ObjectApplier.Desired(declaration.Namespace(settings)), dryRun: false, cancellationToken);
        }
        catch (KubernetesApiException exception) when (exception.Status == HttpStatusCode.Conflict)
        {
        }

        return true;
    }

    private static string Format(DateTimeOffset time) => time.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.ffffff'Z'", CultureInfo.InvariantCulture);

    private static DateTimeOffset Time(JsonNode? node) =>
        node?.GetValue<string>() is { } text ? DateTimeOffset.Parse(text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal) : DateTimeOffset.MinValue;
}
