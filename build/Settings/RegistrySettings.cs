using Cake.Core.IO;

namespace Registry.Build.Settings;

/// <summary>
/// Everything a run can be told, typed. Loaded once by <see cref="SettingsLoader"/> from defaults, a YAML file,
/// <c>REGISTRY_*</c> variables and the command line, in rising order of precedence; tasks only read it.
/// </summary>
public sealed record RegistrySettings
{
    [Setting("host", "The registry's DNS name (or an IPv4 address, as on minikube): the certificate, the Ingress and docker login use it.")]
    public string? Host { get; init; }

    [Setting("namespace", "Namespace the registry is deployed into.")]
    public string Namespace { get; init; } = "docker-registry";

    [Setting("kubeconfig", "Kubeconfig file; else $KUBECONFIG, else ~/.kube/config, else in-cluster.")]
    public FilePath? Kubeconfig { get; init; }

    [Setting("kube-context", "Kubeconfig context; else the current one.")]
    public string? KubeContext { get; init; }

    [Setting("create-cluster", "Create the local cluster to deploy to when it is missing: none, or kind (a kind cluster named registry, ports 80 and 443 published; needs kind and a running Docker).")]
    public ClusterCreation CreateCluster { get; init; } = ClusterCreation.None;

    [Setting("connect-timeout", "How long to keep trying to reach the Kubernetes API server before giving up: 15s, 1m.")]
    public TimeSpan ConnectTimeout { get; init; } = TimeSpan.FromSeconds(15);

    [Setting("ingress-class", "IngressClass the registry's Ingress uses (and the controller serves); nginx when ingress-controller is nginx. With neither set, a cluster whose class nginx ingress-nginx serves keeps it.")]
    public string IngressClass
    {
        get => ingressClass ?? (IngressController == IngressController.Nginx ? "nginx" : "traefik");
        init => ingressClass = value;
    }

    // Unset, the class is the one the controller's chart names by default.
    private readonly string? ingressClass;

    [Setting("ingress-controller", "Controller to install when the class is missing: traefik, nginx (ingress-nginx, retired in March 2026), or existing (install nothing).")]
    public IngressController IngressController { get; init; } = IngressController.Traefik;

    [Setting("exposure", "How the registry is published: ingress (an Ingress, as the guide did) or gateway (a Gateway API HTTPRoute on a Gateway).")]
    public Exposure Exposure { get; init; } = Exposure.Ingress;

    [Setting("gateway-controller", "With exposure=gateway, the implementation that serves the Gateway: envoy, traefik, nginx-fabric, or existing (the GatewayClass gateway-class, tuned by nobody).")]
    public GatewayController GatewayController { get; init; } = GatewayController.Envoy;

    [Setting("gateway-class", "With exposure=gateway, the GatewayClass of the registry's Gateway; else the one gateway-controller's chart makes (envoy: eg, traefik: traefik, nginx-fabric: nginx).")]
    public string? GatewayClass { get; init; }

    [Setting("gateway-name", "With exposure=gateway, the Gateway the registry's HTTPRoute attaches to.")]
    public string GatewayName { get; init; } = "docker-registry";

    [Setting("gateway-namespace", "With exposure=gateway, the namespace of a shared Gateway to attach to (the pipeline adds only its HTTPRoute there); else the registry's own Gateway in its namespace.")]
    public string? GatewayNamespace { get; init; }

    [Setting("tls", "Certificate source: letsencrypt, letsencrypt-staging, selfsigned (a private CA, for local clusters) or existing-secret.")]
    public TlsMode Tls { get; init; } = TlsMode.Selfsigned;

    [Setting("tls-secret", "Secret that holds (or receives) the registry's TLS certificate.")]
    public string TlsSecret { get; init; } = "docker-registry-tls-certificate";

    [Setting("acme-email", "E-mail for the Let's Encrypt account; required when tls is letsencrypt or letsencrypt-staging.")]
    public string? AcmeEmail { get; init; }

    [Setting("require-dns", "Fail before requesting a Let's Encrypt certificate when host does not resolve to the ingress controller: true or false (a warning).")]
    public bool RequireDns { get; init; } = true;

    [Setting("user", "Registry user written to the htpasswd secret.")]
    public string User { get; init; } = "admin";

    [Setting("password-file", "File whose first line is the user's password (or set $REGISTRY_PASSWORD); neither: the cluster's entry is kept, or one is generated for a new user.")]
    public FilePath? PasswordFile { get; init; }

    [Setting("users-file", "File of user:password lines, for several registry users; replaces user and the password.")]
    public FilePath? UsersFile { get; init; }

    [Setting("pull-secret-namespaces", "Namespaces whose workloads pull from the registry, as apps,jobs: each gets a pull secret (kubernetes.io/dockerconfigjson) for it. They must exist; none by default.")]
    public IReadOnlyList<string> PullSecretNamespaces { get; init; } = [];

    [Setting("pull-secret-name", "Name of the pull secret in each of pull-secret-namespaces.")]
    public string PullSecretName { get; init; } = "docker-registry-pull-secret";

    [Setting("pull-secret-user", "Registry user the pull secrets log in as; else user. With users-file, one of its users (required).")]
    public string? PullSecretUser { get; init; }

    [Setting("pull-secret-service-accounts", "Also list the pull secret in the imagePullSecrets of each of those namespaces' default ServiceAccount, next to the ones it has: true or false.")]
    public bool PullSecretServiceAccounts { get; init; }

    [Setting("trust-ca-on-nodes", "With tls=selfsigned, make every node's containerd trust the private CA for host (a DaemonSet writes /etc/containerd/certs.d/<host>/): true or false.")]
    public bool TrustCaOnNodes { get; init; }

    [Setting("node-trust-image", "The image of the trust-ca-on-nodes DaemonSet: any with sh, cmp, cp and sleep (busybox).")]
    public string NodeTrustImage { get; init; } = "busybox:1.37";

    [Setting("bcrypt-cost", "bcrypt work factor of the htpasswd hashes (10 to 16).")]
    public int BcryptCost { get; init; } = 10;

    [Setting("storage-size", "Size of the registry's PersistentVolumeClaim (a Kubernetes quantity).")]
    public string StorageSize { get; init; } = "10Gi";

    [Setting("storage-class", "StorageClass of the claim; else the cluster's default.")]
    public string? StorageClass { get; init; }

    [Setting("storage-access-mode", "Access mode of the claim: ReadWriteOnce, or ReadWriteMany for several replicas.")]
    public string StorageAccessMode { get; init; } = "ReadWriteOnce";

    [Setting("mode", "What the registry is: registry (images are pushed to it), or proxy (a pull-through cache of proxy-remote-url, such as Docker Hub; pushes are refused).")]
    public RegistryMode Mode { get; init; } = RegistryMode.Registry;

    [Setting("proxy-remote-url", "With mode=proxy, the upstream registry it caches, such as https://registry-1.docker.io; its login from $REGISTRY_PROXY_USERNAME and $REGISTRY_PROXY_PASSWORD (or their -file settings).")]
    public string? ProxyRemoteUrl { get; init; }

    [Setting("proxy-ttl", "With mode=proxy, how long a cached image stays before it is fetched again: 168h (distribution's default), 0s for never; registry:3 only.")]
    public TimeSpan? ProxyTtl { get; init; }

    [Setting("proxy-username-file", "With mode=proxy, file whose first line is the upstream registry's user (or set $REGISTRY_PROXY_USERNAME).")]
    public FilePath? ProxyUsernameFile { get; init; }

    [Setting("proxy-password-file", "With mode=proxy, file whose first line is the upstream registry's password or token (or set $REGISTRY_PROXY_PASSWORD).")]
    public FilePath? ProxyPasswordFile { get; init; }

    [Setting("smoke-proxy-image", "With mode=proxy, the upstream image SmokeTest pulls through the cache twice (and a node pulls), as repository:tag.")]
    public string SmokeProxyImage { get; init; } = "library/busybox:1.37";

    [Setting("storage", "Where the images live: filesystem (a PersistentVolumeClaim), s3 (AWS S3, MinIO, Ceph RGW, R2), gcs or azure. Changing it on a live registry needs confirm-storage-change=true.")]
    public StorageBackend Storage { get; init; } = StorageBackend.Filesystem;

    [Setting("s3-bucket", "With storage=s3, the bucket (it must exist).")]
    public string? S3Bucket { get; init; }

    [Setting("s3-region", "With storage=s3, the bucket's region, such as eu-west-1; us-east-1 when s3-endpoint is set and it is not (R2: auto).")]
    public string? S3Region { get; init; }

    [Setting("s3-endpoint", "With storage=s3, the S3 API of another store (MinIO, Ceph RGW, R2), such as https://minio.example.com:9000; else AWS.")]
    public string? S3Endpoint { get; init; }

    [Setting("s3-force-path-style", "With storage=s3, address the bucket in the path (https://endpoint/bucket), as MinIO and RGW need: true or false; true when s3-endpoint is set.")]
    public bool? S3ForcePathStyle { get; init; }

    [Setting("s3-root-directory", "With storage=s3, the prefix in the bucket the registry writes under, such as /registry; else the bucket's root.")]
    public string? S3RootDirectory { get; init; }

    [Setting("s3-encrypt", "With storage=s3, ask S3 to encrypt what it stores (server-side): true or false.")]
    public bool S3Encrypt { get; init; }

    [Setting("s3-secure", "With storage=s3, talk to the store over HTTPS: true or false (only for an endpoint inside a trusted network).")]
    public bool S3Secure { get; init; } = true;

    [Setting("s3-access-key-file", "With storage=s3, file whose first line is the access key id (or set $REGISTRY_S3_ACCESS_KEY); with no key at all, the pod's identity (IRSA, EKS Pod Identity) is used.")]
    public FilePath? S3AccessKeyFile { get; init; }

    [Setting("s3-secret-key-file", "With storage=s3, file whose first line is the secret access key (or set $REGISTRY_S3_SECRET_KEY).")]
    public FilePath? S3SecretKeyFile { get; init; }

    [Setting("gcs-bucket", "With storage=gcs, the bucket (it must exist).")]
    public string? GcsBucket { get; init; }

    [Setting("gcs-key-file", "With storage=gcs, a service account's JSON key file; without one, the pod's identity (GKE workload identity) is used.")]
    public FilePath? GcsKeyFile { get; init; }

    [Setting("azure-account", "With storage=azure, the storage account's name.")]
    public string? AzureAccount { get; init; }

    [Setting("azure-container", "With storage=azure, the blob container (it must exist).")]
    public string? AzureContainer { get; init; }

    [Setting("azure-account-key-file", "With storage=azure, file whose first line is the account key (or set $REGISTRY_AZURE_ACCOUNT_KEY).")]
    public FilePath? AzureAccountKeyFile { get; init; }

    [Setting("storage-redirect", "With object storage, send clients to the store for image layers (a signed URL) rather than through the registry: true or false; true unless s3-endpoint is set, as clients may not reach a store inside the cluster.")]
    public bool? StorageRedirect { get; init; }

    [Setting("confirm-storage-change", "Let a Deploy point a live registry at another store (storage, bucket, endpoint, prefix or container), or turn it into a cache (mode=proxy); the images stay where they were: true or false.")]
    public bool ConfirmStorageChange { get; init; }

    [Setting("service-account", "An existing ServiceAccount the registry's pods run as (one whose annotations give the pod a cloud identity, for IRSA or workload identity); else the namespace's default.")]
    public string? ServiceAccount { get; init; }

    [Setting("redis-url", "A Redis the replicas share as their blob descriptor cache, such as redis://redis.cache:6379/0 or rediss:// for TLS; password from $REGISTRY_REDIS_PASSWORD or redis-password-file. It must evict with allkeys-lru.")]
    public string? RedisUrl { get; init; }

    [Setting("redis-password-file", "File whose first line is the Redis password (or set $REGISTRY_REDIS_PASSWORD).")]
    public FilePath? RedisPasswordFile { get; init; }

    [Setting("autoscale-max", "Let a HorizontalPodAutoscaler add replicas up to this many (from replicas) when CPU is busy; 0 turns it off.")]
    public int AutoscaleMax { get; init; }

    [Setting("autoscale-cpu", "With autoscale-max, the average CPU use (percent of the pods' request) the autoscaler keeps them at.")]
    public int AutoscaleCpu { get; init; } = 75;

    [Setting("metrics", "Serve Prometheus metrics on the registry's debug port, add a metrics port to its Service, and a ServiceMonitor when the cluster has the Prometheus Operator's CRD: true or false.")]
    public bool Metrics { get; init; }

    [Setting("web-ui", "Also serve the registry's web UI (joxit/docker-registry-ui) at https://host/, on the registry's own origin: /v2/ goes to the registry, the rest to the UI: true or false.")]
    public bool WebUi { get; init; }

    [Setting("web-ui-host", "With web-ui, a DNS name of its own for the UI (it passes /v2/ on to the registry's Service); the certificate then covers it too. Else the UI shares host.")]
    public string? WebUiHost { get; init; }

    [Setting("web-ui-image", "The web UI's image, pinned by tag or digest (a mirror's copy of joxit/docker-registry-ui works).")]
    public string WebUiImage { get; init; } = "joxit/docker-registry-ui:2.6.0";

    [Setting("retain-count", "Retention keeps the newest this many tags of each repository (by the image's created date); 0: no count rule.")]
    public int RetainCount { get; init; }

    [Setting("retain-days", "Retention deletes tags whose image is older than this many days (beyond retain-count's newest); 0: no age rule.")]
    public int RetainDays { get; init; }

    [Setting("retain-tags", "Tags Retention always keeps, as patterns with * and ?, such as latest,v*.")]
    public IReadOnlyList<string> RetainTags { get; init; } = [];

    [Setting("retain-dry-run", "Retention only lists what it would delete: true or false.")]
    public bool RetainDryRun { get; init; }

    [Setting("gc-delete-untagged", "GarbageCollect also deletes manifests no tag points at (registry garbage-collect --delete-untagged): true or false.")]
    public bool GcDeleteUntagged { get; init; }

    [Setting("gc-dry-run", "GarbageCollect only lists what it would delete (registry garbage-collect --dry-run), with the registry left read-write and Retention deleting nothing: true or false.")]
    public bool GcDryRun { get; init; }

    [Setting("gc-timeout", "How long the garbage-collect Job may run: 30m, 2h (object storage with many blobs is slow).")]
    public TimeSpan GcTimeout { get; init; } = TimeSpan.FromHours(1);

    [Setting("delete-enabled", "Let clients delete manifests and blobs (storage.delete.enabled): true or false.")]
    public bool DeleteEnabled { get; init; } = true;

    [Setting("replicas", "Registry pods; more than 1 needs storage every pod can share (object storage, or storage-access-mode ReadWriteMany).")]
    public int Replicas { get; init; } = 1;

    // distribution v3.1.1 (2026-05-01), checked 2026-12.
    [Setting("image", "Registry image, pinned by tag or digest.")]
    public string Image { get; init; } = "registry:3.1.1";

    [Setting("helm-version", "Helm release downloaded when no suitable helm is found.")]
    public string HelmVersion { get; init; } = "v4.1.4";

    [Setting("helm-download-url", "Where Helm releases are downloaded from (a mirror of get.helm.sh works): FILE and FILE.sha256sum are fetched.")]
    public string HelmDownloadUrl { get; init; } = "https://get.helm.sh";

    [Setting("gateway-api-download-url", "Where exposure=gateway downloads the Gateway API CRDs (VERSION/standard-install.yaml) when the cluster has none: the releases on GitHub, or a mirror.")]
    public string GatewayApiDownloadUrl { get; init; } = "https://github.com/kubernetes-sigs/gateway-api/releases/download/";

    [Setting("cert-manager-version", "cert-manager chart version installed when cert-manager is missing.")]
    public string CertManagerVersion { get; init; } = "v1.21.1";

    [Setting("ingress-chart-version", "Ingress controller chart version; else the pinned one for the controller (ingress-nginx 4.15.1, its last).")]
    public string? IngressChartVersion { get; init; }

    [Setting("wait-timeout", "How long each wait (rollout, certificate, webhook) may take: 90s, 5m, 1h30m.")]
    public TimeSpan WaitTimeout { get; init; } = TimeSpan.FromMinutes(5);

    [Setting("registry-url", "Where SmokeTest reaches the registry; else https://host. Set it to smoke-test any registry.")]
    public string? RegistryUrl { get; init; }

    [Setting("smoke-layer-size", "Size of the random layer SmokeTest pushes, such as 256MiB, to measure throughput; else a small real layer.")]
    public string? SmokeLayerSize { get; init; }

    [Setting("insecure-skip-tls-verify", "Do not verify the registry's certificate (with a warning): true or false.")]
    public bool InsecureSkipTlsVerify { get; init; }

    [Setting("smoke-docker", "Also do the guide's docker login, pull, tag and push (needs docker on PATH): true or false.")]
    public bool SmokeDocker { get; init; }

    [Setting("smoke-docker-image", "The image the docker smoke test pulls, tags and pushes.")]
    public string SmokeDockerImage { get; init; } = "busybox:1.37";

    [Setting("benchmark", "What the Benchmark target measures: push (the smoke test's push against skopeo copy, to registry-url) or converge (a Deploy with nothing to do against kubectl apply --server-side of the same objects, on an emulated API server at 0 and 50 ms latency).")]
    public BenchmarkKind Benchmark { get; init; } = BenchmarkKind.Push;

    [Setting("smoke-test", "Push and pull a test image after deploying: true or false.")]
    public bool SmokeTest { get; init; } = true;

    [Setting("smoke-cluster-pull", "SmokeTest also starts a pod that pulls the pushed image, proving the nodes can (needs host and a cluster): true or false.")]
    public bool SmokeClusterPull { get; init; } = true;

    [Setting("render-secrets", "Render writes Secret data in clear instead of redacted: true or false.")]
    public bool RenderSecrets { get; init; }

    [Setting("detailed-exitcode", "Plan exits with 2 when changes are pending (as terraform plan does): true or false.")]
    public bool DetailedExitcode { get; init; }

    [Setting("confirm", "Destroy removes what Deploy created only with confirm=true.")]
    public bool Confirm { get; init; }

    [Setting("purge-data", "Destroy also removes the images' claim, the generated password and the namespace it created (when nothing else lives there): true or false.")]
    public bool PurgeData { get; init; }

    [Setting("purge-prerequisites", "Destroy also uninstalls the charts this pipeline installed (cert-manager, the ingress controller), no others: true or false.")]
    public bool PurgePrerequisites { get; init; }

    [Setting("remove-tiller", "Delete a Tiller left from Helm 2 (kube-system/tiller-deploy, its account and cluster-admin binding): true or false (a warning).")]
    public bool RemoveTiller { get; init; }

    [Setting("lock-timeout", "How long a Deploy or Destroy waits for another one's run lock: 10m.")]
    public TimeSpan LockTimeout { get; init; } = TimeSpan.FromMinutes(10);

    [Setting("artifacts", "Folder for rendered manifests, the exported CA and diagnostics.")]
    public DirectoryPath Artifacts { get; init; } = new("artifacts");

    [Setting("settings", "YAML file of settings (name: value); the environment and the command line override it.")]
    public FilePath? SettingsFile { get; init; }

    /// <summary>
    /// Extra registry configuration from the settings file's <c>registry-config:</c> mapping, merged over the
    /// pipeline's config.yml (notifications, log level, a storage middleware...); null when there is none.
    /// </summary>
    public System.Text.Json.Nodes.JsonObject? RegistryConfig { get; init; }

    /// <summary>The users of <c>users-file</c>, read when the settings are; null without one.</summary>
    public IReadOnlyList<Registry.Credential>? Users { get; init; }

    /// <summary>From <c>$REGISTRY_PASSWORD</c> or <c>password-file</c>; null when neither is given.</summary>
    public Secret? Password { get; init; }

    /// <summary>The keys of the object store and the Redis password, from the environment or files; empty when none were given.</summary>
    public StoreSecrets StoreSecrets { get; init; } = new();

    /// <summary>The images are in a bucket or container, not on a claim: nothing is mounted, and any number of replicas share it.</summary>
    public bool UsesObjectStorage => Storage != StorageBackend.Filesystem;

    /// <summary>Every replica reads and writes the same images, so pods can run side by side and roll one at a time.</summary>
    public bool StorageIsShared => UsesObjectStorage || StorageAccessMode == "ReadWriteMany";

    /// <summary>
    /// The version of distribution the image runs, major.minor, from its tag (registry:2.8.3 is 2.8): its config differs
    /// (Redis, Azure, S3 addressing). A tag that does not start with a version, or a digest alone, is taken for the
    /// current release, 3.1.
    /// </summary>
    public Version ImageVersion
    {
        get
        {
            var reference = Image.Split('@')[0];
            var slash = reference.LastIndexOf('/');
            var colon = reference.LastIndexOf(':');
            var tag = colon > slash ? reference[(colon + 1)..].TrimStart('v') : string.Empty;
            var match = System.Text.RegularExpressions.Regex.Match(tag, @"^(\d+)(?:\.(\d+))?");
            return match.Success
                ? new Version(int.Parse(match.Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture), match.Groups[2].Success ? int.Parse(match.Groups[2].Value, System.Globalization.CultureInfo.InvariantCulture) : 0)
                : new Version(3, 1);
        }
    }

    public int ImageMajorVersion => ImageVersion.Major;

    /// <summary>The GatewayClass the registry's own Gateway names: gateway-class, else the one its controller's chart makes.</summary>
    public string GatewayClassName => GatewayClass ?? GatewayController switch
    {
        GatewayController.Envoy => "eg",
        GatewayController.Traefik => "traefik",
        GatewayController.NginxFabric => "nginx",
        _ => string.Empty,
    };

    /// <summary>Where the Gateway the registry's route attaches to is: gateway-namespace, else the registry's own.</summary>
    public string GatewayHomeNamespace => GatewayNamespace ?? Namespace;

    /// <summary>The registry attaches to a Gateway it does not own, in another namespace.</summary>
    public bool SharesGateway => GatewayNamespace is { } ns && ns != Namespace;

    /// <summary>The host is an IPv4 address (minikube's node), not a DNS name.</summary>
    public bool HostIsAddress => Host is { } host && System.Net.IPAddress.TryParse(host, out var ip) && ip.AddressFamily == System.Net.Sockets.AddressFamily.InterNetwork && ip.ToString() == host;

    /// <summary>The text each setting was given as and where it came from; defaults are absent.</summary>
    public IReadOnlyDictionary<string, SettingOrigin> Origins { get; init; } = new Dictionary<string, SettingOrigin>();

    public bool UsesAcme => Tls is TlsMode.Letsencrypt or TlsMode.LetsencryptStaging;

    /// <summary>
    /// Where clients reach the registry: registry-url, else https://host; null when neither is known or is an address
    /// (validation says why; the teardown's summary, which runs after a refused run too, must not throw).
    /// </summary>
    public Uri? RegistryAddress =>
        Uri.TryCreate(RegistryUrl is { } url ? url.TrimEnd('/') + "/" : Host is { } host ? $"https://{host}/" : null, UriKind.Absolute, out var address)
            ? address
            : null;
}

/// <summary>A setting's value as written, and where it was written.</summary>
public sealed record SettingOrigin(string Text, SettingSource Source);
