using System.Security.Cryptography.X509Certificates;
using Cake.Common.Diagnostics;
using Cake.Core;
using Registry.Build.Host;
using Registry.Build.Kubernetes;
using Registry.Build.Registry;
using Registry.Build.Registry.Oci;
using Registry.Build.Settings;
using Registry.Build.State;
using Registry.Build.Tls;
using Registry.Build.Tools.Docker;

namespace Registry.Build.Tasks;

[TaskName("SmokeTest")]
[TaskDescription("Push and pull a test image over the registry API (guide step 12), then have a node pull it; with mode=proxy, pull smoke-proxy-image through the cache twice.")]
[IsDependentOn(typeof(RolloutTask))]
public sealed class SmokeTestTask(RunDesiredState desired, DockerRunner docker, ClusterConnector connector, WaitPolling polling) : AsyncRegistryTask<BuildContext>
{
    private Credential? login;

    public override bool ShouldRun(BuildContext context)
    {
        var settings = context.Settings;
        if (!settings.SmokeTest)
        {
            return Skip("smoke-test is false");
        }

        login = Given(settings);
        if (login is not null || settings.RegistryUrl is not null)
        {
            return true;
        }

        // The user's entry was kept as the cluster has it, and its password was given to an earlier run, not this one.
        login = desired.GetAsync(context).GetAwaiter().GetResult().Credentials.Login;
        if (login is null)
        {
            var unknown = $"SmokeTest cannot log in: no password was given, and user {settings.User}'s password is not kept in the cluster. " +
                "Set $REGISTRY_PASSWORD or password-file (the same password keeps the htpasswd as it is) to smoke-test.";
            context.Warning(unknown);
        }

        return login is not null || Skip($"no password for user {settings.User} is known to this run");
    }

    public override async Task RunAsync(BuildContext context)
    {
        var settings = context.Settings;
        var url = settings.RegistryAddress!;
        if (login is null)
        {
            throw new CakeException($"SmokeTest against {url} needs user {settings.User}'s password: set $REGISTRY_PASSWORD or --password-file.");
        }

        if (settings.InsecureSkipTlsVerify)
        {
            context.Warning($"insecure-skip-tls-verify is true: the certificate of {url} is not checked.");
        }

        var trust = new RegistryTrust(PrivateCaOf(settings), settings.InsecureSkipTlsVerify);
        if (settings.Mode == RegistryMode.Proxy)
        {
            // Nothing can be pushed to a cache: an upstream image is pulled through it instead.
            await new SmokeTest(context.Log).RunProxyAsync(url, login, trust, settings.SmokeProxyImage, ClusterPullOf(context, login), context.Cancellation, await HtpasswdSyncAsync(context));
            return;
        }

        long? layerSize = settings.SmokeLayerSize is { } text && ByteSize.TryParse(text, out var bytes) ? bytes : null;
        await new SmokeTest(context.Log).RunAsync(url, login, trust, layerSize, ClusterPullOf(context, login), context.Cancellation, await HtpasswdSyncAsync(context));
        if (settings.SmokeDocker)
        {
            DockerPush(context, url.Authority, login);
        }
    }

    /// <summary>
    /// The cluster's own pull of the pushed image, by its host as workloads name it; none for a registry given only by
    /// registry-url (it need not be this cluster's), nor for the random layer of smoke-layer-size, which no runtime can unpack.
    /// </summary>
    private Func<SmokeReference, CancellationToken, Task>? ClusterPullOf(BuildContext context, Credential login)
    {
        var settings = context.Settings;
        if (!settings.SmokeClusterPull || settings.Host is not { } host)
        {
            return null;
        }

        return async (pushed, cancellationToken) =>
        {
            if (!pushed.Runnable)
            {
                context.Information("smoke-layer-size makes a layer no container runtime can unpack: the cluster pull check is skipped in this run.");
                return;
            }

            var cluster = await connector.ConnectAsync(cancellationToken);
            // The login workloads are given when there is one (it may be a pull-only user), else the smoke test's own.
            var podLogin = (await desired.GetAsync(context)).Credentials.PullLogin ?? login;
            try
            {
                await new ClusterPull(cluster.Api, context.Log, polling).RunAsync(
                    settings.Namespace, host, pushed.On(host), podLogin, settings.WaitTimeout, cancellationToken, settings.Artifacts.Combine("diagnostics").FullPath);
            }
            catch (Exception failure) when (failure is CakeException or KubernetesApiException && !WorkloadsPull(settings))
            {
                // Nothing was asked of the nodes: the registry works from here, and this says what workloads still need.
                context.Warning("{0}", $"The registry works from this runner, but not yet for the cluster's own pods: {failure.Message} " +
                    "(A warning, since neither trust-ca-on-nodes, pull-secret-namespaces nor smoke-cluster-pull was set; with any of them this fails the run.)");
            }
        };
    }

    /// <summary>
    /// How long a refused login may still be the pods reading a new htpasswd: the kubelet's sync, when this run wrote
    /// one (read from the state the run built, no request of its own); zero otherwise, and for a smoke test of
    /// registry-url alone, which touches no cluster.
    /// </summary>
    private async Task<TimeSpan> HtpasswdSyncAsync(BuildContext context) =>
        connector.Connected is not null && (await desired.GetAsync(context)).Credentials.HtpasswdChanges
            ? TimeSpan.FromTicks(Math.Min(KubeletSync.Ticks, context.Settings.WaitTimeout.Ticks))
            : TimeSpan.Zero;

    // The kubelet's sync period (1m, with jitter) plus its Secret cache: how late a mounted Secret can be.
    private static readonly TimeSpan KubeletSync = TimeSpan.FromMinutes(2);

    /// <summary>The user asked for the cluster's pods to pull from the registry, so a node that cannot is a failure.</summary>
    private static bool WorkloadsPull(RegistrySettings settings) =>
        settings.TrustCaOnNodes || settings.PullSecretNamespaces.Count > 0 || settings.Origins.ContainsKey("smoke-cluster-pull");

    private static Credential? Given(RegistrySettings settings) =>
        settings.Users is [var first, ..] ? first : settings.Password is { } password ? new Credential(settings.User, password) : null;

    // The guide's own check, for runners with a Docker engine: the daemon must trust the registry's CA itself.
    private void DockerPush(BuildContext context, string registryHost, Credential login)
    {
        if (!docker.IsInstalled)
        {
            throw new CakeException("smoke-docker is true, but docker is not on PATH. Install Docker, or set smoke-docker=false (the API smoke test above needs no Docker).");
        }

        var image = context.Settings.SmokeDockerImage;
        var target = $"{registryHost}/smoke/{image.Split('/')[^1].Split(':')[0]}:registry-pipeline";
        docker.Login(registryHost, login);
        docker.Pull(image);
        docker.Tag(image, target);
        docker.Push(target);
        var pushed = $"docker pushed {image} as {target}, as the guide does.";
        context.Information(pushed);
    }

    // With tls=selfsigned the registry's certificate is signed by the private CA the Issuer step exported.
    private static X509Certificate2? PrivateCaOf(RegistrySettings settings)
    {
        var path = PrivateCa.ExportPath(settings).FullPath;
        return settings.Tls == TlsMode.Selfsigned && File.Exists(path) ? X509Certificate2.CreateFromPem(File.ReadAllText(path)) : null;
    }
}
