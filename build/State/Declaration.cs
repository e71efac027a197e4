using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;
using k8s;
using k8s.Models;
using Registry.Build.Inventory;
using Registry.Build.Kubernetes.CertManager;
using Registry.Build.Kubernetes.GatewayApi;
using Registry.Build.Kubernetes.Monitoring;
using Registry.Build.Manifests;
using Registry.Build.Registry;
using Registry.Build.Settings;
using Registry.Build.Tasks;

namespace Registry.Build.State;

/// <summary>
/// The one declaration of everything the pipeline manages: each object from its k8s/ template, filled with the
/// settings and the credentials, and tagged with the step that applies it. Deploy's steps apply their part, Plan
/// compares all of it, Render writes it, prune and Destroy go by the inventory it keeps. A new capability adds
/// its objects here.
/// </summary>
public sealed class Declaration(ManifestTemplates templates)
{
    public const string LocalRegistryHostingNamespace = "kube-public";

    public const string LocalRegistryHostingName = "local-registry-hosting";

    /// <summary>The registry's Deployment.</summary>
    public const string WorkloadName = "docker-registry";

    /// <summary>The ConfigMap that holds the registry's config.yml.</summary>
    public const string ConfigName = "docker-registry-config";

    /// <param name="ownsNamespace">Whether the namespace is the pipeline's: missing (so it will create it), or created by it before.
    /// A namespace someone else made is never declared, so it is never labelled, patched or deleted.</param>
    /// <param name="announceLocally">A local cluster whose kube-public/local-registry-hosting is missing or the pipeline's:
    /// it then tells local tools where the registry is (KEP-1755).</param>
    /// <param name="onNodePorts">A cluster without a load balancer (kind, minikube): a Gateway's proxy listens on the node's ports.</param>
    /// <param name="serviceMonitors">The cluster serves the Prometheus Operator's ServiceMonitor (or, for a Render without one, may).</param>
    /// <param name="readOnly">The registry in maintenance, as GarbageCollect needs it: every push refused, pulls served.</param>
    public DesiredState Build(RegistrySettings settings, RegistryCredentials credentials, bool ownsNamespace, bool announceLocally = false, bool onNodePorts = false, bool serviceMonitors = false,
        bool readOnly = false)
    {
        var applySet = new ApplySet(settings.Namespace);
        var values = Values(settings, credentials);
        values["read-only"] = readOnly ? "true" : "false";
        var objects = new List<ManagedObject>();
        void Add<TStep>(IKubernetesObject<V1ObjectMeta> item, bool holdsData = false)
        {
            applySet.Adopt(item, holdsData);
            objects.Add(new ManagedObject(typeof(TStep), item));
        }

        if (ownsNamespace)
        {
            Add<NamespaceTask>(Namespace(settings), holdsData: true);
        }

        switch (settings.Tls)
        {
            case TlsMode.Letsencrypt or TlsMode.LetsencryptStaging:
                var acme = templates.Load<Issuer>("acme-issuer.yaml", values);
                if (settings.Exposure == Exposure.Gateway)
                {
                    acme.Spec!["acme"]!["solvers"]![0]!["http01"] = GatewaySolver(settings);
                }

                Add<IssuerTask>(acme);
                break;
            case TlsMode.Selfsigned:
                // In this order: each signs the next.
                Add<IssuerTask>(templates.Load<Issuer>("selfsigned-issuer.yaml", values));
                Add<IssuerTask>(templates.Load<Certificate>("registry-ca-certificate.yaml", values));
                Add<IssuerTask>(templates.Load<Issuer>("registry-ca-issuer.yaml", values));
                break;
        }

        if (settings.Tls != TlsMode.ExistingSecret)
        {
            var certificate = templates.Load<Certificate>("docker-registry-tls-certificate.yaml", values);
            if (settings.HostIsAddress)
            {
                // Clients check an IP against the certificate's IP SANs, never its DNS names.
                certificate.Spec!.Remove("dnsNames");
                certificate.Spec["ipAddresses"] = new JsonArray(settings.Host);
            }
            else if (settings.WebUiHost is { } uiHost)
            {
                certificate.Spec!["dnsNames"]!.AsArray().Add(uiHost);
            }

            Add<CertificateTask>(certificate);
        }

        Add<CredentialsTask>(templates.Load<V1Secret>("docker-registry-htpasswd.yaml", values));
        Add<CredentialsTask>(templates.Load<V1Secret>("docker-registry-http-secret.yaml", values));
        if (credentials.GeneratedLogin is { } login)
        {
            // The only place a generated password is written down; it outlives the registry unless purge-data.
            values["user-base64"] = Base64(login.User);
            values["password-base64"] = Base64(login.Password.Reveal());
            Add<CredentialsTask>(templates.Load<V1Secret>("docker-registry-password.yaml", values), holdsData: true);
        }

        if (credentials.PullLogin is { } pull)
        {
            var dockerConfig = Base64(PullSecret.DockerConfigJson(settings.Host!, pull));
            foreach (var ns in settings.PullSecretNamespaces)
            {
                Add<PullSecretsTask>(templates.Load<V1Secret>("docker-registry-pull-secret.yaml", new Dictionary<string, string>(values)
                {
                    ["pull-secret-namespace"] = ns,
                    ["dockerconfigjson-base64"] = dockerConfig,
                }));
            }
        }

        if (credentials.StoreKeys.Count > 0)
        {
            var storageSecret = templates.Load<V1Secret>("docker-registry-storage.yaml", values);
            storageSecret.Data = credentials.StoreKeys.ToDictionary(pair => pair.Key, pair => Encoding.UTF8.GetBytes(pair.Value.Reveal()));
            Add<CredentialsTask>(storageSecret);
        }

        var config = Config(settings, values, credentials);
        // Of everything the pods read at start: a change to any of it must restart them, a change to nothing must not.
        // Not the htpasswd: it is mounted as a directory, which the kubelet updates in place, and the registry reads the
        // file again when it changes, so a new password needs no restart.
        values["config-checksum"] = Checksum(
            [config.Data["config.yml"], credentials.HttpSecret.Reveal(), .. credentials.StoreKeys.OrderBy(pair => pair.Key, StringComparer.Ordinal).Select(pair => $"{pair.Key}={pair.Value.Reveal()}")]);
        Add<RegistryConfigTask>(config);
        if (!settings.UsesObjectStorage)
        {
            var claim = templates.Load<V1PersistentVolumeClaim>("docker-registry-data.yaml", values);
            claim.Spec.StorageClassName = settings.StorageClass;
            Add<StorageTask>(claim, holdsData: true);
        }

        Add<WorkloadTask>(Workload(settings, values, credentials));
        if (settings.Replicas > 1 || settings.AutoscaleMax > 0)
        {
            var budget = templates.Load<V1PodDisruptionBudget>("docker-registry-disruption-budget.yaml", values);
            // A fixed count keeps all but one; an autoscaled one may be anywhere up to autoscale-max, of which one at a time goes.
            if (settings.AutoscaleMax > 0)
            {
                budget.Spec.MaxUnavailable = 1;
            }
            else
            {
                budget.Spec.MinAvailable = settings.Replicas - 1;
            }

            Add<WorkloadTask>(budget);
        }

        if (settings.AutoscaleMax > 0)
        {
            Add<WorkloadTask>(templates.Load<V2HorizontalPodAutoscaler>("docker-registry-autoscaler.yaml", values));
        }
        var service = templates.Load<V1Service>("docker-registry-service.yaml", values);
        if (settings.Metrics)
        {
            // The debug port also serves /debug/health and expvar; the Service stays inside the cluster.
            service.Spec.Ports.Add(new V1ServicePort { Name = "metrics", Port = 5001, TargetPort = "debug" });
        }

        Add<ServiceTask>(service);
        if (settings.Metrics && serviceMonitors)
        {
            Add<ServiceTask>(templates.Load<ServiceMonitor>("docker-registry-service-monitor.yaml", values));
        }

        if (settings.WebUi)
        {
            Add<WebUiTask>(WebUi(settings, values));
            Add<WebUiTask>(templates.Load<V1Service>("docker-registry-ui-service.yaml", values));
        }

        if (settings.Exposure == Exposure.Gateway)
        {
            DeclareGateway(settings, values, onNodePorts, Add<GatewayTask>, Add<HttpRouteTask>);
            if (announceLocally)
            {
                Add<HttpRouteTask>(templates.Load<V1ConfigMap>("local-registry-hosting.yaml", values));
            }
        }
        else
        {
            var ingress = templates.Load<V1Ingress>("docker-registry-ingress.yaml", values);
            if (settings.HostIsAddress)
            {
                // Kubernetes refuses an IP as an Ingress host, and a client that connects to an IP sends no server name to
                // route by: the rule takes every request, and the controller's default certificate must be the registry's.
                ingress.Spec.Rules[0].Host = null;
                ingress.Spec.Tls[0].Hosts = null;
            }

            if (settings.WebUiHost is { } uiHost)
            {
                // The UI's own name, all of it to the UI, which passes /v2 on to the registry's Service itself.
                ingress.Spec.Tls[0].Hosts.Add(uiHost);
                ingress.Spec.Rules.Add(new V1IngressRule
                {
                    Host = uiHost,
                    Http = new V1HTTPIngressRuleValue { Paths = [IngressPath("/", WebUiName, "http")] },
                });
            }
            else if (settings.WebUi)
            {
                // One origin for both, so that the browser's calls to /v2/ need no CORS: /v2 (and below) to the registry, the rest to the UI.
                ingress.Spec.Rules[0].Http.Paths = [IngressPath("/v2", WorkloadName, "http"), IngressPath("/", WebUiName, "http")];
            }

            Add<IngressTask>(ingress);
            if (announceLocally)
            {
                Add<IngressTask>(templates.Load<V1ConfigMap>("local-registry-hosting.yaml", values));
            }
        }

        if (settings.TrustCaOnNodes && settings.Tls == TlsMode.Selfsigned)
        {
            Add<NodeTrustTask>(templates.Load<V1ConfigMap>("node-trust-hosts.yaml", values));
            Add<NodeTrustTask>(templates.Load<V1DaemonSet>("node-trust-daemonset.yaml", values));
        }

        // Declared once means once: a second declaration of an object would be applied, planned and rendered twice.
        if (objects.GroupBy(item => item.Address.ToString()).FirstOrDefault(group => group.Count() > 1) is { } twice)
        {
            throw new InvalidOperationException($"{twice.Key} is declared {twice.Count()} times.");
        }

        // The parent goes right after the namespace it lives in, before any member it records.
        var parent = new ManagedObject(typeof(InventoryTask), applySet.Parent(
            objects.Select(item => ApplySet.GroupKind(item.Address)), objects.Select(item => item.Address.Namespace).OfType<string>()));
        objects.Insert(ownsNamespace ? 1 : 0, parent);
        return new DesiredState(applySet, objects, credentials);
    }

    /// <summary>
    /// ACME http01 through the Gateway: cert-manager attaches its solver's HTTPRoute to the Gateway's HTTP listener (the
    /// owner's listeners on a shared one), and the solver's Service needs no node port behind a Gateway.
    /// </summary>
    private static JsonObject GatewaySolver(RegistrySettings settings)
    {
        var parent = new JsonObject { ["group"] = "gateway.networking.k8s.io", ["kind"] = "Gateway", ["name"] = settings.GatewayName, ["namespace"] = settings.GatewayHomeNamespace };
        if (!settings.SharesGateway && settings.WebUiHost is null)
        {
            // With web-ui-host, the UI's name is answered on a listener of its own: the solver attaches wherever its name is.
            parent["sectionName"] = "http";
        }

        return new JsonObject { ["gatewayHTTPRoute"] = new JsonObject { ["serviceType"] = "ClusterIP", ["parentRefs"] = new JsonArray(parent) } };
    }

    /// <summary>
    /// exposure=gateway: the registry's own Gateway (none on a shared one), applied before the certificate so that an
    /// ACME challenge can come in through it; then its HTTPRoutes and what the implementation needs so that a push of
    /// any size and length goes through.
    /// </summary>
    private void DeclareGateway(RegistrySettings settings, Dictionary<string, string> values, bool onNodePorts,
        Action<IKubernetesObject<V1ObjectMeta>, bool> addListener, Action<IKubernetesObject<V1ObjectMeta>, bool> add)
    {
        // Traefik's Gateway listeners must use its entrypoints' ports; the others listen where clients connect.
        var traefik = settings.GatewayController == GatewayController.Traefik;
        values["gateway-class-name"] = settings.GatewayClassName;
        values["gateway-https-port"] = traefik ? "8443" : "443";
        values["gateway-http-port"] = traefik ? "8000" : "80";
        values["gateway-namespace-name"] = settings.GatewayHomeNamespace;
        var route = templates.Load<HttpRoute>("docker-registry-httproute.yaml", values);
        if (!settings.SharesGateway)
        {
            var gateway = templates.Load<Gateway>("docker-registry-gateway.yaml", values);
            if (settings.HostIsAddress)
            {
                // A listener's hostname is a DNS name; with none it takes every request, as the Ingress rule does.
                foreach (var listener in gateway.Spec!["listeners"]!.AsArray())
                {
                    listener!.AsObject().Remove("hostname");
                }
            }

            if (onNodePorts && settings.GatewayController == GatewayController.Envoy)
            {
                // Before the Gateway that names it, as Envoy Gateway advises: its proxy starts on the node's ports at once.
                addListener(templates.Load<EnvoyProxy>("envoy-proxy.yaml", values), false);
                gateway.Spec!["infrastructure"] = new JsonObject
                {
                    ["parametersRef"] = new JsonObject { ["group"] = "gateway.envoyproxy.io", ["kind"] = "EnvoyProxy", ["name"] = settings.GatewayName },
                };
            }

            if (settings.WebUiHost is { } uiHost)
            {
                // A listener per name and scheme: the UI's name has its own, with the same certificate, which covers both names.
                var listeners = gateway.Spec!["listeners"]!.AsArray();
                foreach (var listener in listeners.ToList())
                {
                    var copy = listener!.DeepClone().AsObject();
                    copy["name"] = $"{copy["name"]!.GetValue<string>()}-ui";
                    copy["hostname"] = uiHost;
                    listeners.Add(copy);
                }
            }

            addListener(gateway, false);
            var redirect = templates.Load<HttpRoute>("docker-registry-http-redirect.yaml", values);
            if (settings.HostIsAddress)
            {
                redirect.Spec!.Remove("hostnames");
            }

            add(redirect, false);
            if (settings.WebUiHost is not null)
            {
                add(templates.Load<HttpRoute>("docker-registry-ui-http-redirect.yaml", values), false);
            }
        }

        if (settings.HostIsAddress)
        {
            route.Spec!.Remove("hostnames");
        }

        if (settings.SharesGateway)
        {
            // Its listeners are named by its owner: the route attaches to whichever admits it for host.
            route.Spec!["parentRefs"]![0]!.AsObject().Remove("sectionName");
        }

        if (settings.WebUi && settings.WebUiHost is null)
        {
            // One origin for both, so that the browser's calls to /v2/ need no CORS: /v2 (and below) to the registry, the rest to the UI.
            var registryRule = route.Spec!["rules"]![0]!.AsObject();
            registryRule["matches"]![0]!["path"]!["value"] = "/v2";
            route.Spec["rules"]!.AsArray().Add(new JsonObject
            {
                ["matches"] = new JsonArray(new JsonObject { ["path"] = new JsonObject { ["type"] = "PathPrefix", ["value"] = "/" } }),
                ["backendRefs"] = new JsonArray(new JsonObject { ["name"] = WebUiName, ["port"] = 80 }),
            });
        }

        add(route, false);
        if (settings.WebUiHost is not null)
        {
            var uiRoute = templates.Load<HttpRoute>("docker-registry-ui-httproute.yaml", values);
            if (settings.SharesGateway)
            {
                uiRoute.Spec!["parentRefs"]![0]!.AsObject().Remove("sectionName");
            }

            add(uiRoute, false);
        }

        switch (settings.GatewayController)
        {
            case GatewayController.Envoy:
                add(templates.Load<BackendTrafficPolicy>("envoy-backend-traffic-policy.yaml", values), false);
                if (!settings.SharesGateway)
                {
                    // A policy on a shared Gateway would change it for every route on it.
                    addListener(templates.Load<ClientTrafficPolicy>("envoy-client-traffic-policy.yaml", values), false);
                }

                break;
            case GatewayController.NginxFabric:
                add(templates.Load<ClientSettingsPolicy>("nginx-client-settings-policy.yaml", values), false);
                add(templates.Load<ProxySettingsPolicy>("nginx-proxy-settings-policy.yaml", values), false);
                break;
        }
    }

    private static V1HTTPIngressPath IngressPath(string path, string service, string port) => new()
    {
        Path = path,
        PathType = "Prefix",
        Backend = new V1IngressBackend { Service = new V1IngressServiceBackend { Name = service, Port = new V1ServiceBackendPort { Name = port } } },
    };

    /// <summary>The web UI's Deployment and Service.</summary>
    public const string WebUiName = "docker-registry-ui";

    /// <summary>
    /// The web UI's Deployment. On host itself the browser reaches /v2/ through the Ingress or HTTPRoute; on a name of its
    /// own, the UI's nginx passes /v2 on to the registry's Service, and shows host in its pull commands.
    /// </summary>
    private V1Deployment WebUi(RegistrySettings settings, Dictionary<string, string> values)
    {
        var deployment = templates.Load<V1Deployment>("docker-registry-ui.yaml", values);
        if (settings.WebUiHost is not null)
        {
            var container = deployment.Spec.Template.Spec.Containers.Single();
            container.Env.Add(new V1EnvVar { Name = "NGINX_PROXY_PASS_URL", Value = $"http://{WorkloadName}.{settings.Namespace}.svc:5000" });
            container.Env.Add(new V1EnvVar { Name = "PULL_URL", Value = settings.Host });
        }

        return deployment;
    }

    /// <summary>
    /// The registry's Deployment for the store: the claim mounted, or nothing mounted and the store's keys passed as
    /// environment variables from the storage Secret; with several replicas, spread over nodes (and zones where there are).
    /// </summary>
    private V1Deployment Workload(RegistrySettings settings, Dictionary<string, string> values, RegistryCredentials credentials)
    {
        var deployment = templates.Load<V1Deployment>("docker-registry.yaml", values);
        var pod = deployment.Spec.Template.Spec;
        var container = pod.Containers.Single();
        if (settings.UsesObjectStorage)
        {
            pod.Volumes = pod.Volumes.Where(volume => volume.Name != "data").ToList();
            container.VolumeMounts = container.VolumeMounts.Where(mount => mount.Name != "data").ToList();
        }

        foreach (var entry in StorageSecret.Entries(settings).Where(entry => credentials.StoreKeys.ContainsKey(entry.Key)))
        {
            if (entry.Variable is { } variable)
            {
                container.Env.Add(new V1EnvVar
                {
                    Name = variable,
                    ValueFrom = new V1EnvVarSource { SecretKeyRef = new V1SecretKeySelector { Name = StorageSecret.Name, Key = entry.Key } },
                });
            }
            else
            {
                pod.Volumes.Add(new V1Volume
                {
                    Name = "storage-keys",
                    Secret = new V1SecretVolumeSource { SecretName = StorageSecret.Name, Items = [new V1KeyToPath { Key = entry.Key, Path = entry.Key }] },
                });
                container.VolumeMounts.Add(new V1VolumeMount { Name = "storage-keys", MountPath = StorageSecret.MountPath, ReadOnlyProperty = true });
            }
        }

        if (settings.StorageIsShared)
        {
            // A new pod is ready before an old one goes. Declared, not left to the API server's defaults: the pipeline then
            // owns these fields, and a move back to Recreate removes them (a default left behind would be refused there).
            deployment.Spec.Strategy.RollingUpdate = new V1RollingUpdateDeployment { MaxSurge = 1, MaxUnavailable = 0 };
        }

        pod.ServiceAccountName = settings.ServiceAccount;
        if (settings.Storage == StorageBackend.Azure && !credentials.StoreKeys.ContainsKey(StorageSecret.AzureAccountKey))
        {
            // Azure's workload identity webhook gives a token only to pods that ask for it with this label.
            deployment.Spec.Template.Metadata.Labels["azure.workload.identity/use"] = "true";
        }

        if (settings.AutoscaleMax > 0)
        {
            // The autoscaler owns the count: a Deploy that set it would undo every scale-up.
            deployment.Spec.Replicas = null;
        }

        if (settings.Replicas > 1 || settings.AutoscaleMax > 0)
        {
            // ScheduleAnyway: a one-node cluster (kind) still runs every replica; pod-template-hash leaves the old
            // ReplicaSet's pods out of the count during a rollout.
            pod.TopologySpreadConstraints =
            [
                Spread("kubernetes.io/hostname"),
                Spread("topology.kubernetes.io/zone"),
            ];
        }

        return deployment;
    }

    /// <summary>
    /// GarbageCollect's Job, named <paramref name="name"/>: the registry's own pod from <paramref name="state"/> (image,
    /// config, store and keys) running <c>registry garbage-collect</c> once. A ReadWriteOnce claim can be mounted on one
    /// node only, so then the Job goes where the registry's pod runs.
    /// </summary>
    public V1Job GarbageCollectJob(RegistrySettings settings, DesiredState state, string name)
    {
        var job = templates.Load<V1Job>("docker-registry-garbage-collect.yaml", new Dictionary<string, string>(ManifestValues.From(settings))
        {
            ["gc-job-name"] = name,
            ["gc-timeout-seconds"] = ((long)settings.GcTimeout.TotalSeconds).ToString(System.Globalization.CultureInfo.InvariantCulture),
        });
        // The pipeline's, though no member (it is made per run and expires): Destroy's namespace check must not count it as someone else's.
        job.Metadata.Labels[ApplySet.MadeForLabel] = state.ApplySet.Id;
        var registry = state.Of<WorkloadTask>().OfType<V1Deployment>().Single().Spec.Template;
        var pod = job.Spec.Template.Spec;
        var collector = pod.Containers.Single(container => container.Name == "garbage-collect");
        var cacheReset = pod.Containers.Single(container => container.Name == "cache-reset");
        var container = registry.Spec.Containers.Single();
        collector.Env = container.Env;
        collector.VolumeMounts = container.VolumeMounts.Where(mount => mount.Name != "htpasswd").ToList();
        collector.SecurityContext = container.SecurityContext;
        collector.Args = [GarbageCollectConfigPath, settings.UsesObjectStorage ? string.Empty : container.VolumeMounts.Single(mount => mount.Name == "data").MountPath, .. GarbageCollectFlags(settings)];
        pod.Containers = [collector];
        if (settings.RedisUrl is not null && !settings.GcDryRun && RedisAddress.TryParse(settings.RedisUrl, out var redis, out _))
        {
            // After garbage-collect, in the same pod: the init container must have succeeded for it to start.
            pod.InitContainers = [collector];
            pod.Containers = [cacheReset];
            cacheReset.SecurityContext = container.SecurityContext;
            cacheReset.Args = [redis!.Host, redis.Port.ToString(System.Globalization.CultureInfo.InvariantCulture), redis.Database.ToString(System.Globalization.CultureInfo.InvariantCulture), .. redis.Tls ? ["--tls"] : Array.Empty<string>()];
            if (container.Env.FirstOrDefault(variable => variable.Name == "REGISTRY_REDIS_PASSWORD") is { } password)
            {
                cacheReset.Env = [new V1EnvVar { Name = "REDISCLI_AUTH", ValueFrom = password.ValueFrom }];
            }
        }

        pod.Volumes = registry.Spec.Volumes.Where(volume => volume.Name != "htpasswd").ToList();
        pod.SecurityContext = registry.Spec.SecurityContext;
        pod.ServiceAccountName = registry.Spec.ServiceAccountName;
        if (registry.Metadata.Labels.TryGetValue("azure.workload.identity/use", out var identity))
        {
            job.Spec.Template.Metadata.Labels["azure.workload.identity/use"] = identity;
        }

        if (!settings.StorageIsShared)
        {
            pod.Affinity = new V1Affinity
            {
                PodAffinity = new V1PodAffinity
                {
                    RequiredDuringSchedulingIgnoredDuringExecution =
                    [
                        new V1PodAffinityTerm
                        {
                            TopologyKey = "kubernetes.io/hostname",
                            LabelSelector = new V1LabelSelector { MatchLabels = new Dictionary<string, string> { ["app.kubernetes.io/name"] = "docker-registry" } },
                        },
                    ],
                },
            };
        }

        return job;
    }

    /// <summary>Where the registry's pods (and the Job's) read config.yml.</summary>
    public const string GarbageCollectConfigPath = "/etc/registry/config.yml";

    /// <summary>The flags of <c>registry garbage-collect</c> the settings ask for.</summary>
    public static IReadOnlyList<string> GarbageCollectFlags(RegistrySettings settings) =>
        [.. settings.GcDryRun ? ["--dry-run"] : Array.Empty<string>(), .. settings.GcDeleteUntagged ? ["--delete-untagged"] : Array.Empty<string>()];

    private static V1TopologySpreadConstraint Spread(string topologyKey) => new()
    {
        MaxSkew = 1,
        TopologyKey = topologyKey,
        WhenUnsatisfiable = "ScheduleAnyway",
        LabelSelector = new V1LabelSelector { MatchLabels = new Dictionary<string, string> { ["app.kubernetes.io/name"] = "docker-registry" } },
        MatchLabelKeys = ["pod-template-hash"],
    };

    /// <summary>The registry's namespace as the pipeline creates it (also the run lock, which needs it first).</summary>
    public V1Namespace Namespace(RegistrySettings settings)
    {
        var item = templates.Load<V1Namespace>("namespace.yaml", ManifestValues.From(settings));
        new ApplySet(settings.Namespace).Adopt(item, holdsData: true);
        return item;
    }

    private static Dictionary<string, string> Values(RegistrySettings settings, RegistryCredentials credentials) =>
        new(ManifestValues.From(settings))
        {
            ["htpasswd-base64"] = Base64(credentials.Htpasswd),
            ["http-secret-base64"] = Base64(credentials.HttpSecret.Reveal()),
            // Pods on one ReadWriteOnce volume cannot run side by side, so a rollout replaces them; on shared storage it rolls one at a time.
            ["rollout-strategy"] = settings.StorageIsShared ? "RollingUpdate" : "Recreate",
            // A cache refuses deletes of what it holds, whatever delete-enabled says (that is for its own expiry).
            ["web-ui-delete-images"] = settings.DeleteEnabled && settings.Mode == RegistryMode.Registry ? "true" : "false",
        };

    /// <summary>The config.yml a Deploy with these settings gives the registry, for comparing stores before anything is written.</summary>
    public string ConfigYml(RegistrySettings settings) => Config(settings, new(ManifestValues.From(settings)), null).Data["config.yml"];

    // config.yml as the template has it, on the store and cache the settings name, with the settings file's registry-config merged over it.
    private V1ConfigMap Config(RegistrySettings settings, Dictionary<string, string> values, RegistryCredentials? credentials)
    {
        var config = templates.Load<V1ConfigMap>("config.yaml", values);
        var readOnly = values.GetValueOrDefault("read-only") == "true";
        if (!settings.UsesObjectStorage && settings.RedisUrl is null && settings.RegistryConfig is null && !settings.Metrics && !readOnly && settings.Mode == RegistryMode.Registry)
        {
            return config;
        }

        var document = YamlToJson.Documents(config.Data["config.yml"]).Single().AsObject();
        var storage = document["storage"]!.AsObject();
        if (settings.UsesObjectStorage)
        {
            storage.Remove("filesystem");
            storage[SettingDefinition.KebabName(settings.Storage)] = RegistryStorageConfig.Store(settings, [.. credentials?.StoreKeys.Keys ?? []]);
            if (!(settings.StorageRedirect ?? settings.S3Endpoint is null))
            {
                // Every layer then streams through the registry's pods: the store's address need not be reachable by clients.
                storage["redirect"] = new JsonObject { ["disable"] = true };
            }
        }

        if (settings.RedisUrl is not null)
        {
            storage["cache"]!["blobdescriptor"] = "redis";
            document["redis"] = RegistryStorageConfig.Redis(settings);
        }

        if (settings.Metrics)
        {
            document["http"]!["debug"]!["prometheus"] = new JsonObject { ["enabled"] = true, ["path"] = "/metrics" };
        }

        if (settings.Mode == RegistryMode.Proxy)
        {
            // The upstream login is not here: it reaches the pods as environment variables from the storage Secret.
            var proxy = new JsonObject { ["remoteurl"] = settings.ProxyRemoteUrl };
            if (settings.ProxyTtl is { } ttl)
            {
                proxy["ttl"] = ttl == TimeSpan.Zero ? "0s" : Duration.Format(ttl);
            }

            document["proxy"] = proxy;
        }

        if (settings.RegistryConfig is { } extra)
        {
            MergeInto(document, extra);
        }

        if (readOnly)
        {
            // After registry-config, which must not be able to keep a collection's window writable.
            storage["maintenance"] = storage["maintenance"] as JsonObject ?? new JsonObject();
            storage["maintenance"]!["readonly"] = new JsonObject { ["enabled"] = true };
        }

        config.Data["config.yml"] = JsonToYaml.Convert(document);
        return config;
    }

    private static void MergeInto(JsonObject target, JsonObject extra)
    {
        foreach (var (key, value) in extra)
        {
            if (value is JsonObject section && target[key] is JsonObject existing)
            {
                MergeInto(existing, section);
            }
            else
            {
                target[key] = value?.DeepClone();
            }
        }
    }

    private static string Base64(string text) => Convert.ToBase64String(Encoding.UTF8.GetBytes(text));

    private static string Checksum(IEnumerable<string> parts) =>
        Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(string.Join('\0', parts))))[..16];
}
