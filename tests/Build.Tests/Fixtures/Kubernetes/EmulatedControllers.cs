using System.Text.Json.Nodes;

namespace Registry.Build.Tests.Fixtures.Kubernetes;

/// <summary>How the emulated controllers behave: how long each takes, and whether it ever gets there.</summary>
public sealed class ControllerBehaviour
{
    public TimeSpan RolloutDelay { get; set; } = TimeSpan.FromMilliseconds(100);

    /// <summary>Deployments never become available: their pods crash or cannot be scheduled.</summary>
    public bool RolloutStalls { get; set; }

    /// <summary>Deployments report ProgressDeadlineExceeded after <see cref="RolloutDelay"/>.</summary>
    public bool RolloutExceedsDeadline { get; set; }

    public TimeSpan EstablishDelay { get; set; } = TimeSpan.FromMilliseconds(50);

    public TimeSpan ReadyDelay { get; set; } = TimeSpan.FromMilliseconds(100);

    /// <summary>When set, cert-manager resources stay Ready=False with this reason and message.</summary>
    public (string Reason, string Message)? NotReady { get; set; }

    public TimeSpan AddressDelay { get; set; } = TimeSpan.FromMilliseconds(100);

    /// <summary>Load balancers never get an address, as on a cluster without one.</summary>
    public bool NoLoadBalancer { get; set; }

    public string LoadBalancerAddress { get; set; } = "203.0.113.10";

    /// <summary>The address a programmed Gateway gets: its own load balancer, not the ingress controller's.</summary>
    public string GatewayAddress { get; set; } = "203.0.113.20";

    /// <summary>How long the namespace controller takes to empty and remove a namespace being deleted.</summary>
    public TimeSpan NamespaceDeletionDelay { get; set; } = TimeSpan.FromMilliseconds(200);

    /// <summary>
    /// What running a Job's container does on the node: its exit code, writing its log as it goes. Null: the node
    /// cannot run the image, and the pod waits in ContainerCreating, as a kubelet would leave it.
    /// </summary>
    public Func<ContainerRun, Task<int>>? Runtime { get; set; }
}

/// <summary>A Job's container the node runs: its pod, the container, and where its log goes.</summary>
public sealed record ContainerRun(string Namespace, JsonObject Pod, JsonObject Container, Action<string> WriteLine);

/// <summary>Plays the controllers the pipeline waits on: Deployments, CRDs, cert-manager, load balancers.</summary>
public sealed class EmulatedControllers : IAsyncDisposable
{
    private static readonly ResourceType Secret = ResourceCatalogue.OfKind("v1", "Secret");
    private static readonly ResourceType ConfigMap = ResourceCatalogue.OfKind("v1", "ConfigMap");
    private static readonly ResourceType ServiceAccount = ResourceCatalogue.OfKind("v1", "ServiceAccount");
    private readonly Dictionary<string, DateTimeOffset> terminating = [];
    private readonly ObjectStore store;
    private readonly ControllerBehaviour behaviour;
    private readonly CancellationTokenSource stop = new();
    private readonly EmulatedKubelet kubelet;
    private readonly EmulatedGatewayController gateways;
    private readonly EmulatedAcme acme;
    private readonly EmulatedJobController jobs;

    // Whether each generation of cert-manager's controller crashes: started with Gateway API support before the CRDs.
    private readonly Dictionary<long, bool> certManagerCrashes = [];
    private readonly Task loop;

    public EmulatedControllers(ObjectStore store, ControllerBehaviour behaviour, EmulatedNode node, System.Collections.Concurrent.ConcurrentDictionary<(string Namespace, string Pod, string Container), string> podLogs)
    {
        this.store = store;
        this.behaviour = behaviour;
        jobs = new EmulatedJobController(store, behaviour, podLogs);
        kubelet = new EmulatedKubelet(store, node);
        gateways = new EmulatedGatewayController(store, behaviour.GatewayAddress);
        acme = new EmulatedAcme(store);
        loop = Task.Run(RunAsync);
    }

    /// <summary>The last object a reconcile could not make sense of, for a test that wonders why nothing happened.</summary>
    public Exception? LastError { get; private set; }

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

        await kubelet.DrainAsync();
        await jobs.DrainAsync();

        // A fixture that fed a controller something it could not read must say so, not show up as a timeout.
        if (LastError is { } error)
        {
            throw new InvalidOperationException($"An emulated controller could not reconcile an object: {error.Message}", error);
        }
    }

    private async Task RunAsync()
    {
        while (!stop.IsCancellationRequested)
        {
            try
            {
                Reconcile(DateTimeOffset.UtcNow);
            }
            catch (Exception exception) when (exception is InvalidOperationException or FormatException or KeyNotFoundException)
            {
                // An object a test put in oddly shaped: like a real controller, log it and go on with the rest.
                LastError = exception;
            }

            await Task.Delay(20, stop.Token);
        }
    }

    private void Reconcile(DateTimeOffset now)
    {
        var snapshot = store.Snapshot();
        kubelet.StopGone(snapshot.Where(item => item.Type.Kind == "DaemonSet").Select(item => (item.Namespace!, item.Name)));
        foreach (var (type, ns, name, body, specChanged) in snapshot)
        {
            // One object a controller cannot read must not starve the others, as with a real controller.
            try
            {
                Reconcile(type, ns, name, body, now - specChanged, now);
            }
            catch (Exception exception) when (exception is InvalidOperationException or FormatException or KeyNotFoundException)
            {
                LastError = exception;
            }
        }
    }

    private void Reconcile(ResourceType type, string? ns, string name, JsonObject body, TimeSpan age, DateTimeOffset now)
    {
        switch (type.Kind)
        {
            case "Namespace" when (body["metadata"]?["deletionTimestamp"] is not null):
                terminating.TryAdd(name, now);
                if (now - terminating[name] >= behaviour.NamespaceDeletionDelay)
                {
                    store.FinishDeleting(name);
                    terminating.Remove(name);
                }

                break;
            case "Namespace":
                // What the control plane puts in every namespace: the cluster's CA bundle and the default account.
                if (store.Get(ConfigMap, name, "kube-root-ca.crt") is null)
                {
                    store.Seed(new JsonObject { ["apiVersion"] = "v1", ["kind"] = "ConfigMap", ["metadata"] = new JsonObject { ["name"] = "kube-root-ca.crt", ["namespace"] = name }, ["data"] = new JsonObject { ["ca.crt"] = "emulated CA" } }, "kube-controller-manager");
                }

                if (store.Get(ServiceAccount, name, "default") is null)
                {
                    store.Seed(new JsonObject { ["apiVersion"] = "v1", ["kind"] = "ServiceAccount", ["metadata"] = new JsonObject { ["name"] = "default", ["namespace"] = name } }, "kube-controller-manager");
                }

                break;
            case "Pod":
                kubelet.Reconcile(ns!, name, body);
                break;
            case "GatewayClass" or "Gateway" or "HTTPRoute" when age >= behaviour.ReadyDelay:
                gateways.Reconcile(type, ns, name, body);
                break;
            case "DaemonSet" when age >= behaviour.RolloutDelay && !behaviour.RolloutStalls && kubelet.CanMount(ns!, body):
                kubelet.RunOnNode(ns!, name, body);
                store.Mutate(type, ns, name, daemonSet => daemonSet["status"] = new JsonObject
                {
                    ["observedGeneration"] = daemonSet["metadata"]!["generation"]!.GetValue<long>(),
                    ["desiredNumberScheduled"] = 1,
                    ["currentNumberScheduled"] = 1,
                    ["updatedNumberScheduled"] = 1,
                    ["numberReady"] = 1,
                    ["numberAvailable"] = 1,
                });
                break;
            case "Job":
                jobs.Reconcile(ns!, name, body);
                break;
            case "HorizontalPodAutoscaler":
                Autoscale(ns!, body);
                break;
            case "Deployment" when age >= behaviour.RolloutDelay && !behaviour.RolloutStalls:
                store.Mutate(type, ns, name, deployment => deployment["status"] = CrashesAtStart(ns!, name, deployment) ? Crashing(deployment) : DeploymentStatus(deployment));
                break;
            case "CustomResourceDefinition" when age >= behaviour.EstablishDelay:
                store.Mutate(type, ns, name, crd => crd["status"] = Conditions(("Established", "True", "InitialNamesAccepted", "the initial names have been accepted")));
                break;
            case "Issuer" or "ClusterIssuer" or "Certificate" when age >= behaviour.ReadyDelay:
                var (status, reason, message) = behaviour.NotReady is { } notReady
                    ? ("False", notReady.Reason, notReady.Message)
                    : type.Kind == "Certificate" && body["status"]?["conditions"]?[0]?["status"]?.GetValue<string>() != "True" && acme.Pending(ns!, name, body) is { } pending
                    ? ("False", pending.Reason, pending.Message)
                    : ("True", "Ready", type.Kind == "Certificate" ? "Certificate is up to date and has not expired" : "The issuer is ready");
                // As cert-manager: the Secret is written before the Certificate says Ready, so whoever waits for Ready finds it.
                if (type.Kind == "Certificate" && status == "True" && body["spec"]?["secretName"]?.GetValue<string>() is { } secretName
                    && store.Get(Secret, ns, secretName) is null)
                {
                    // As cert-manager: the Secret carries the Certificate's secretTemplate labels and its own annotation.
                    var secret = TlsSecret(ns!, secretName);
                    if (body["spec"]?["secretTemplate"]?["labels"] is JsonObject labels)
                    {
                        secret["metadata"]!["labels"] = labels.DeepClone();
                    }

                    secret["metadata"]!["annotations"] = new JsonObject { ["cert-manager.io/certificate-name"] = name };
                    store.Seed(secret, "cert-manager-certificates");
                }

                store.Mutate(type, ns, name, item => item["status"] = Conditions(("Ready", status, reason, message)));

                // An ACME Issuer registers an account, whose key cert-manager keeps in the Secret the Issuer names.
                if (type.Kind == "Issuer" && status == "True" && body["spec"]?["acme"]?["privateKeySecretRef"]?["name"]?.GetValue<string>() is { } accountKey
                    && store.Get(Secret, ns, accountKey) is null)
                {
                    store.Seed(new JsonObject
                    {
                        ["apiVersion"] = "v1", ["kind"] = "Secret", ["type"] = "Opaque",
                        ["metadata"] = new JsonObject { ["name"] = accountKey, ["namespace"] = ns },
                        ["data"] = new JsonObject { ["tls.key"] = Convert.ToBase64String("emulated account key"u8.ToArray()) },
                    }, "cert-manager-issuers");
                }

                break;
            case "Service" when IsLoadBalancer(body):
            case "Ingress":
                if (age >= behaviour.AddressDelay && !behaviour.NoLoadBalancer)
                {
                    store.Mutate(type, ns, name, item => item["status"] = new JsonObject
                    {
                        ["loadBalancer"] = new JsonObject { ["ingress"] = new JsonArray(new JsonObject { ["ip"] = behaviour.LoadBalancerAddress }) },
                    });
                }

                break;
        }
    }

    /// <summary>
    /// cert-manager's controller, started with Gateway API support while the Gateway API CRDs are missing, exits at
    /// once and crash-loops; it looks for them at start only, so each generation keeps the verdict of its start.
    /// </summary>
    private bool CrashesAtStart(string ns, string name, JsonObject deployment)
    {
        if (ns != "cert-manager" || name != "cert-manager")
        {
            return false;
        }

        var generation = deployment["metadata"]!["generation"]!.GetValue<long>();
        if (!certManagerCrashes.TryGetValue(generation, out var crashes))
        {
            var args = (deployment["spec"]?["template"]?["spec"]?["containers"]?[0]?["args"] as JsonArray ?? []).Select(arg => arg!.GetValue<string>());
            var config = store.Get(ConfigMap, ns, "cert-manager")?["data"]?["config.yaml"]?.GetValue<string>() ?? string.Empty;
            crashes = args.Contains("--config=/var/cert-manager/config/config.yaml") && config.Contains("gatewayAPI:\n  enabled: true", StringComparison.Ordinal)
                && store.Get(ResourceCatalogue.OfKind("apiextensions.k8s.io/v1", "CustomResourceDefinition"), null, "httproutes.gateway.networking.k8s.io") is null;
            certManagerCrashes[generation] = crashes;
        }

        return crashes;
    }

    private static JsonObject Crashing(JsonObject deployment) => new()
    {
        ["observedGeneration"] = deployment["metadata"]!["generation"]!.GetValue<long>(),
        ["replicas"] = 1L,
        ["updatedReplicas"] = 1L,
        ["unavailableReplicas"] = 1L,
        ["conditions"] = Conditions(("Available", "False", "MinimumReplicasUnavailable", "Deployment does not have minimum availability."))["conditions"]!.DeepClone(),
    };

    private static bool IsLoadBalancer(JsonObject service) => service["spec"]?["type"]?.GetValue<string>() == "LoadBalancer";

    // As the autoscaler: it keeps its target's replicas (through the scale subresource) between its bounds.
    private void Autoscale(string ns, JsonObject autoscaler)
    {
        var least = autoscaler["spec"]?["minReplicas"]?.GetValue<long>() ?? 1;
        var most = autoscaler["spec"]!["maxReplicas"]!.GetValue<long>();
        store.Mutate(ResourceCatalogue.OfKind("apps/v1", "Deployment"), ns, autoscaler["spec"]!["scaleTargetRef"]!["name"]!.GetValue<string>(), deployment =>
            deployment["spec"]!["replicas"] = Math.Clamp(deployment["spec"]?["replicas"]?.GetValue<long>() ?? least, least, most));
    }

    private JsonObject DeploymentStatus(JsonObject deployment)
    {
        var generation = deployment["metadata"]!["generation"]!.GetValue<long>();
        var replicas = deployment["spec"]?["replicas"]?.GetValue<long>() ?? 1;
        if (behaviour.RolloutExceedsDeadline)
        {
            return new JsonObject
            {
                ["observedGeneration"] = generation,
                ["replicas"] = replicas,
                ["updatedReplicas"] = replicas,
                ["unavailableReplicas"] = replicas,
                ["conditions"] = Conditions(("Progressing", "False", "ProgressDeadlineExceeded", $"ReplicaSet \"{deployment["metadata"]!["name"]}-1\" has timed out progressing."))["conditions"]!.DeepClone(),
            };
        }

        return new JsonObject
        {
            ["observedGeneration"] = generation,
            ["replicas"] = replicas,
            ["updatedReplicas"] = replicas,
            ["readyReplicas"] = replicas,
            ["availableReplicas"] = replicas,
            ["conditions"] = Conditions(
                ("Available", "True", "MinimumReplicasAvailable", "Deployment has minimum availability."),
                ("Progressing", "True", "NewReplicaSetAvailable", "ReplicaSet has successfully progressed."))["conditions"]!.DeepClone(),
        };
    }

    private static JsonObject Conditions(params (string Type, string Status, string Reason, string Message)[] conditions) => new()
    {
        ["conditions"] = new JsonArray(conditions.Select(condition => (JsonNode)new JsonObject
        {
            ["type"] = condition.Type,
            ["status"] = condition.Status,
            ["reason"] = condition.Reason,
            ["message"] = condition.Message,
        }).ToArray()),
    };

    // A real key pair and certificate in PEM, as cert-manager writes them: whoever reads the Secret can parse it.
    private static readonly Lazy<(string Certificate, string Key)> Issued = new(() =>
    {
        using var key = System.Security.Cryptography.ECDsa.Create(System.Security.Cryptography.ECCurve.NamedCurves.nistP256);
        var request = new System.Security.Cryptography.X509Certificates.CertificateRequest("CN=emulated", key, System.Security.Cryptography.HashAlgorithmName.SHA256);
        using var certificate = request.CreateSelfSigned(DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddDays(90));
        return (certificate.ExportCertificatePem(), key.ExportPkcs8PrivateKeyPem());
    });

    /// <summary>The certificate (PEM) the emulated cert-manager puts in every Secret it issues.</summary>
    public static string IssuedCertificate => Issued.Value.Certificate;

    private static JsonObject TlsSecret(string ns, string name) => new()
    {
        ["apiVersion"] = "v1",
        ["kind"] = "Secret",
        ["metadata"] = new JsonObject { ["name"] = name, ["namespace"] = ns },
        ["type"] = "kubernetes.io/tls",
        ["data"] = new JsonObject
        {
            ["tls.crt"] = Convert.ToBase64String(System.Text.Encoding.ASCII.GetBytes(Issued.Value.Certificate)),
            ["tls.key"] = Convert.ToBase64String(System.Text.Encoding.ASCII.GetBytes(Issued.Value.Key)),
        },
    };
}
