using System.Text;
using System.Text.Json.Nodes;

namespace Registry.Build.Tests.Fixtures.Kubernetes;

/// <summary>
/// The registry's pod on the emulated node, as a real docker-registry process: started from what the cluster holds
/// (the config ConfigMap, the htpasswd Secret, the container's environment) on the claim's folder, restarted when a
/// rollout changes the pod template, and given a new htpasswd file when its Secret changes, as the kubelet syncs a
/// Secret volume without a restart. It keeps one address across restarts, as the Service and Ingress in front do.
/// </summary>
public sealed class RegistryPods : IAsyncDisposable
{
    private static readonly ResourceType Deployment = ResourceCatalogue.OfKind("apps/v1", "Deployment");
    private static readonly ResourceType ConfigMap = ResourceCatalogue.OfKind("v1", "ConfigMap");
    private static readonly ResourceType Secret = ResourceCatalogue.OfKind("v1", "Secret");
    private readonly ObjectStore store;
    private readonly string ns;
    private readonly string dataDirectory;
    private readonly int port = RealRegistry.FreePort();
    private readonly CancellationTokenSource stop = new();
    private readonly Task loop;
    private RealRegistry? current;
    private string? template;
    private string? htpasswd;

    private RegistryPods(ObjectStore store, string ns, string dataDirectory)
    {
        this.store = store;
        this.ns = ns;
        this.dataDirectory = dataDirectory;
        loop = Task.Run(RunAsync);
    }

    public static RegistryPods Follow(EmulatedApiServer server, string dataDirectory, string ns = "docker-registry") => new(server.Store, ns, dataDirectory);

    public Uri Address => new($"http://localhost:{port}/");

    /// <summary>How many times a pod was started: the first start and each restart.</summary>
    public int Starts { get; private set; }

    /// <summary>How many times the htpasswd file was replaced under a running pod.</summary>
    public int HtpasswdSyncs { get; private set; }

    /// <summary>How long after its Secret changes the mounted htpasswd follows: the kubelet's sync period.</summary>
    public TimeSpan HtpasswdSyncDelay { get; set; }

    private DateTimeOffset? htpasswdSeenChanged;

    /// <summary>
    /// Waits until the pod has started <paramref name="times"/> times: the emulated rollout reports done at once, and the
    /// pod's own restart follows within a reconcile or two.
    /// </summary>
    public async Task WaitUntilStartedAsync(int times = 1)
    {
        for (var attempt = 0; Starts < times && attempt < 200; attempt++)
        {
            await Task.Delay(50);
        }
    }

    public async ValueTask DisposeAsync()
    {
        await stop.CancelAsync();
        try
        {
            await loop;
        }
        catch (OperationCanceledException)
        {
        }

        if (current is not null)
        {
            await current.DisposeAsync();
        }
    }

    private async Task RunAsync()
    {
        while (!stop.IsCancellationRequested)
        {
            var deployment = store.Get(Deployment, ns, "docker-registry");
            var config = store.Get(ConfigMap, ns, "docker-registry-config")?["data"]?["config.yml"]?.GetValue<string>();
            var users = Decode(store.Get(Secret, ns, "docker-registry-htpasswd")?["data"]?["htpasswd"]?.GetValue<string>());
            var podTemplate = deployment?["spec"]?["template"]?.ToJsonString();
            if (deployment is not null && config is not null && users is not null && podTemplate != template)
            {
                if (current is not null)
                {
                    await current.DisposeAsync();
                }

                var environment = (deployment["spec"]!["template"]!["spec"]!["containers"]![0]!["env"] as JsonArray ?? []).OfType<JsonObject>().ToDictionary(
                    variable => variable["name"]!.GetValue<string>(),
                    variable => variable["value"]?.GetValue<string>() ?? Decode(store.Get(Secret, ns, variable["valueFrom"]!["secretKeyRef"]!["name"]!.GetValue<string>())?["data"]?[variable["valueFrom"]!["secretKeyRef"]!["key"]!.GetValue<string>()]?.GetValue<string>())!);
                current = await RealRegistry.StartAsync(config, users, environment["REGISTRY_HTTP_SECRET"], environment: environment, dataDirectory: dataDirectory, port: port);
                template = podTemplate;
                htpasswd = users;
                Starts++;
            }
            else if (current is not null && users is not null && users != htpasswd && !MountedWithSubPath(deployment))
            {
                htpasswdSeenChanged ??= DateTimeOffset.UtcNow;
                if (DateTimeOffset.UtcNow - htpasswdSeenChanged >= HtpasswdSyncDelay)
                {
                    current.ReplaceHtpasswd(users);
                    htpasswd = users;
                    htpasswdSeenChanged = null;
                    HtpasswdSyncs++;
                }
            }

            await Task.Delay(50, stop.Token);
        }
    }

    // The kubelet never updates a file mounted with subPath: only a restart shows a new Secret there.
    private static bool MountedWithSubPath(JsonObject? deployment) =>
        (deployment?["spec"]?["template"]?["spec"]?["containers"]?[0]?["volumeMounts"] as JsonArray ?? []).OfType<JsonObject>()
            .Any(mount => mount["name"]?.GetValue<string>() == "htpasswd" && mount["subPath"] is not null);

    private static string? Decode(string? base64) => base64 is null ? null : Encoding.UTF8.GetString(Convert.FromBase64String(base64));
}
