using System.Net;
using Cake.Core;
using Cake.Core.Diagnostics;
using Registry.Build.Settings;

namespace Registry.Build.Kubernetes;

/// <summary>
/// Connects once per run and proves the API server answers and accepts the credentials before anything is
/// written: an unreachable server, an unknown context, rejected credentials or a missing kubeconfig stop the
/// run with one message naming the file, the context and the server.
/// </summary>
public sealed class ClusterConnector(RegistrySettings settings, ICakeEnvironment environment, ICakeLog log, RetryOptions retry)
{
    private readonly SemaphoreSlim gate = new(1, 1);
    private Cluster? cluster;
    private CakeException? failure;

    /// <summary>The cluster this run connected to, or null when it did not (or could not).</summary>
    public Cluster? Connected => cluster;

    public async Task<Cluster> ConnectAsync(CancellationToken cancellationToken)
    {
        await gate.WaitAsync(cancellationToken);
        try
        {
            // Once per run either way: a cluster that did not answer within connect-timeout is not asked again by
            // the next caller (Render looks for one before its step and in it).
            if (failure is not null)
            {
                throw failure;
            }

            return cluster ??= await FirstConnectAsync(cancellationToken);
        }
        catch (CakeException exception)
        {
            failure = exception;
            throw;
        }
        finally
        {
            gate.Release();
        }
    }

    private async Task<Cluster> FirstConnectAsync(CancellationToken cancellationToken)
    {
        var source = KubeconfigSource.Find(settings, environment, out var searched)
            ?? throw new CakeException($"No kubeconfig to reach a cluster with: {searched}. Pass --kubeconfig=FILE or set $KUBECONFIG.");

        k8s.KubernetesClientConfiguration configuration;
        try
        {
            configuration = source.Build(settings.KubeContext);
        }
        catch (ArgumentException exception)
        {
            throw new CakeException($"Cannot use the cluster: {exception.Message}");
        }

        var lastProblem = "no answer";
        var client = new k8s.Kubernetes(configuration, new TransientFaultHandler(retry, problem =>
        {
            lastProblem = problem;
            log.Warning(problem);
        }));
        var context = configuration.CurrentContext ?? "in-cluster";
        var where = $"{configuration.Host} (context '{context}' in {source})";
        var api = new KubernetesApi(client);
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(settings.ConnectTimeout);
        try
        {
            var version = await api.VersionAsync(timeout.Token);
            log.Information($"Connected to {where}: Kubernetes {version}.");
            return new Cluster(api, configuration.Host, context, source, version);
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            throw Unreachable(where, $"it did not answer within {Duration.Format(settings.ConnectTimeout)} (connect-timeout); last: {lastProblem}");
        }
        catch (HttpRequestException exception)
        {
            throw Unreachable(where, exception.Message);
        }
        catch (KubernetesApiException exception) when (exception.Status is HttpStatusCode.Unauthorized or HttpStatusCode.Forbidden)
        {
            throw new CakeException(
                $"The API server {where} rejected the credentials ({(int)exception.Status} {exception.Status}: {exception.ServerMessage}). " +
                "They may have expired: refresh them (for a cloud cluster, run its get-credentials command again) or choose another --kube-context. Nothing was written.");
        }
    }

    private static CakeException Unreachable(string where, string what) => new(
        $"Cannot reach the Kubernetes API server {where}: {what}. Check that the cluster is running and that the kubeconfig points at it. Nothing was written.");
}
