using System.Net.Mail;
using System.Text.RegularExpressions;
using Cake.Core.IO;

namespace Registry.Build.Settings;

/// <summary>
/// The rules a value must follow before anything touches a cluster. Each broken rule is one
/// <see cref="SettingProblem"/> naming the setting, its value and what is expected.
/// </summary>
public static partial class SettingsValidator
{
    /// <param name="deploying">
    /// True when the run deploys (its tasks include Validate): then the settings must also be complete,
    /// a host to serve and an e-mail for ACME. Other targets (Test, Status, Destroy) need neither.
    /// </param>
    /// <param name="onlySmokeTest">True when SmokeTest runs alone: with registry-url it needs no host.</param>
    public static IReadOnlyList<SettingProblem> Validate(RegistrySettings settings, bool deploying, bool onlySmokeTest = false)
    {
        var problems = new List<SettingProblem>();
        void Check(string name, bool valid, string expected)
        {
            if (!valid)
            {
                var definition = SettingDefinition.Find(name)!;
                var origin = settings.Origins.GetValueOrDefault(name);
                problems.Add(new SettingProblem(name, origin?.Text ?? definition.TextIn(settings), origin?.Source, expected));
            }
        }

        bool Given(string name) => settings.Origins.ContainsKey(name);

        if (settings.Host is { } host)
        {
            Check("host", IsDnsSubdomain(host),
                "is not a valid DNS name; expected lower-case letters, digits, '-' and '.', each part starting and ending with a letter or digit, such as registry.example.com");
        }

        Check("namespace", IsDnsLabel(settings.Namespace),
            "is not a valid namespace name; expected at most 63 lower-case letters, digits and '-', starting and ending with a letter or digit");
        // With create-cluster=kind the file may not exist yet: kind writes the new cluster's context into it.
        if (settings.Kubeconfig is { } kubeconfig && settings.CreateCluster == ClusterCreation.None)
        {
            Check("kubeconfig", IsReadableFile(kubeconfig), "cannot be read; expected a readable kubeconfig file");
        }

        if (Given("kube-context"))
        {
            Check("kube-context", !string.IsNullOrWhiteSpace(settings.KubeContext), "is empty; expected a context name from the kubeconfig");
            Check("kube-context", settings.CreateCluster != ClusterCreation.Kind || settings.KubeContext == LocalCluster.KindCluster.Context,
                $"is not the context of the cluster create-cluster=kind makes; expected {LocalCluster.KindCluster.Context}, or no kube-context");
        }

        Check("ingress-class", IsDnsSubdomain(settings.IngressClass),
            "is not a valid IngressClass name; expected lower-case letters, digits, '-' and '.'");
        Check("tls-secret", IsDnsSubdomain(settings.TlsSecret),
            "is not a valid Secret name; expected lower-case letters, digits, '-' and '.'");
        if (settings.AcmeEmail is { } email)
        {
            Check("acme-email", IsEmail(email), "is not an e-mail address; expected one such as ops@example.com");
        }

        Check("user", IsHtpasswdUser(settings.User),
            "is not a usable registry user; expected a name without ':', spaces or control characters");
        if (settings.PasswordFile is { } passwordFile)
        {
            Check("password-file", IsReadableFile(passwordFile), "cannot be read; expected a readable file whose first line is the password");
        }

        Check("storage-size", IsPositiveQuantity(settings.StorageSize),
            "is not a storage size; expected a positive Kubernetes quantity such as 10Gi or 500Mi");
        if (settings.StorageClass is { } storageClass)
        {
            Check("storage-class", IsDnsSubdomain(storageClass), "is not a valid StorageClass name; expected lower-case letters, digits, '-' and '.'");
        }

        Check("replicas", settings.Replicas >= 1, "is not a positive number; expected 1 or more");
        Check("storage-access-mode", settings.StorageAccessMode is "ReadWriteOnce" or "ReadWriteMany" or "ReadWriteOncePod",
            "is not an access mode; expected ReadWriteOnce or ReadWriteMany");
        if (settings.Replicas > 1 && !settings.StorageIsShared)
        {
            Check("replicas", false,
                $"needs storage every replica can share, but storage is filesystem with storage-access-mode {settings.StorageAccessMode}; " +
                "expected replicas 1, object storage (storage=s3, gcs or azure), or storage-access-mode ReadWriteMany with a storage-class that offers it");
        }

        if (settings.AutoscaleMax != 0)
        {
            Check("autoscale-max", settings.AutoscaleMax > settings.Replicas,
                $"is not more than replicas ({settings.Replicas}), where the autoscaler starts; expected a larger number, or 0 for no autoscaling");
            Check("autoscale-max", settings.AutoscaleMax <= 1 || settings.StorageIsShared,
                $"lets the autoscaler add replicas, but storage is filesystem with storage-access-mode {settings.StorageAccessMode}, which one pod holds; expected object storage or ReadWriteMany, or 0");
            Check("autoscale-cpu", settings.AutoscaleCpu is >= 10 and <= 100,
                "is out of range; expected the average CPU use to keep, in percent of the pods' request, from 10 to 100");
        }

        CheckStorage(settings, Check, Given, problems);
        if (settings.RedisUrl is { } redisUrl)
        {
            // A password in the URL is never repeated: the problem shows the URL without it.
            if (HoldsCredentials(redisUrl))
            {
                problems.Add(new SettingProblem("redis-url", WithoutCredentials(redisUrl), settings.Origins.GetValueOrDefault("redis-url")?.Source,
                    "holds a user or password, which would be written into the registry's ConfigMap; expected the URL without them, and the password in $REGISTRY_REDIS_PASSWORD or redis-password-file"));
            }
            else
            {
                Check("redis-url", RedisAddress.TryParse(redisUrl, out var redis, out var redisProblem),
                    $"{redisProblem}; expected redis://HOST:PORT/DB or rediss://HOST:PORT/DB (TLS), such as redis://redis.cache:6379/0");
                Check("redis-url", redis is null || !redis.Tls || settings.ImageVersion >= new Version(3, 1),
                    $"asks for TLS, which {settings.Image} cannot speak to Redis (distribution 2 has none; 3.0 only with a client certificate); expected redis://, or registry:3.1 or later");
            }

            // registry:3.0 reads no environment variable into its Redis options, so the password could not reach it.
            if (settings.StoreSecrets.RedisPassword is not null && settings.ImageMajorVersion == 3 && settings.ImageVersion < new Version(3, 1))
            {
                problems.Add(new SettingProblem("redis-password", null, null,
                    $"cannot reach {settings.Image}: distribution 3.0 does not read it from the environment, and the pipeline never writes it into the ConfigMap; expected registry:3.1 or later, or a Redis without a password"));
            }
        }

        if (settings.ServiceAccount is { } serviceAccount)
        {
            Check("service-account", IsDnsSubdomain(serviceAccount), "is not a valid ServiceAccount name; expected lower-case letters, digits, '-' and '.'");
        }

        Check("bcrypt-cost", settings.BcryptCost is >= 10 and <= 16, "is out of range; expected a bcrypt cost from 10 to 16");
        if (settings.UsersFile is { } usersFile)
        {
            Check("users-file", IsReadableFile(usersFile), "cannot be read; expected a readable file of user:password lines");
        }

        foreach (var ns in settings.PullSecretNamespaces.Where(ns => !IsDnsLabel(ns)))
        {
            problems.Add(new SettingProblem("pull-secret-namespaces", ns, settings.Origins.GetValueOrDefault("pull-secret-namespaces")?.Source,
                "is not a valid namespace name; expected at most 63 lower-case letters, digits and '-', starting and ending with a letter or digit"));
        }

        if (settings.Exposure == Exposure.Gateway)
        {
            Check("gateway-api-download-url", Uri.TryCreate(settings.GatewayApiDownloadUrl, UriKind.Absolute, out var downloads) && downloads.Scheme is "https" or "http",
                "is not an http(s) URL; expected the folder that holds VERSION/standard-install.yaml, such as https://github.com/kubernetes-sigs/gateway-api/releases/download/");
            Check("gateway-name", IsDnsSubdomain(settings.GatewayName), "is not a valid Gateway name; expected lower-case letters, digits, '-' and '.'");
            if (settings.GatewayNamespace is { } gatewayNamespace)
            {
                Check("gateway-namespace", IsDnsLabel(gatewayNamespace), "is not a valid namespace name; expected at most 63 lower-case letters, digits and '-'");
                Check("gateway-namespace", gatewayNamespace != settings.Namespace,
                    "is the registry's own namespace; expected the namespace of a shared Gateway, or no value for the registry's own Gateway");
                // A route without hostnames on a shared listener would take every host that listener has no other route for.
                Check("gateway-namespace", !settings.HostIsAddress,
                    $"names a shared Gateway, but host {settings.Host} is an IP address, which a route cannot name; expected a DNS name as host, or the registry's own Gateway");
            }

            if (settings.GatewayController == GatewayController.Existing && settings.GatewayClass is null && !settings.SharesGateway)
            {
                problems.Add(new SettingProblem("gateway-class", null, null, "is required with gateway-controller=existing; expected the name of a GatewayClass the cluster has"));
            }
        }

        Check("trust-ca-on-nodes", !settings.TrustCaOnNodes || settings.Tls == TlsMode.Selfsigned,
            $"needs tls=selfsigned (tls is {SettingDefinition.Find("tls")!.TextIn(settings)}): the nodes are made to trust the pipeline's own private CA, which only that mode makes; expected false");
        if (settings.TrustCaOnNodes)
        {
            Check("node-trust-image", settings.NodeTrustImage.Length > 0 && !settings.NodeTrustImage.Any(char.IsWhiteSpace),
                "is not an image reference; expected one such as busybox:1.37 or registry.example.com/mirror/busybox:1.37");
        }

        Check("pull-secret-name", IsDnsSubdomain(settings.PullSecretName), "is not a valid Secret name; expected lower-case letters, digits, '-' and '.'");
        if (settings.PullSecretNamespaces.Count > 0 && settings.UsersFile is not null && settings.Users is { } users)
        {
            if (settings.PullSecretUser is null)
            {
                problems.Add(new SettingProblem("pull-secret-user", null, null,
                    $"is required with users-file; expected the user of {settings.UsersFile.GetFilename()} the pull secrets log in as, one of {string.Join(", ", users.Select(user => user.User))}"));
            }
            else
            {
                Check("pull-secret-user", users.Any(user => user.User == settings.PullSecretUser),
                    $"is not a user of users-file; expected one of {string.Join(", ", users.Select(user => user.User))}");
            }
        }
        else if (settings.PullSecretUser is { } pullUser && settings.UsersFile is null)
        {
            // The pipeline knows the password of one user only: the one user and the password (or the generated one) are for.
            Check("pull-secret-user", pullUser == settings.User,
                $"is not user ({settings.User}), the only user whose password this run knows; expected {settings.User}, or a users-file that gives {pullUser}'s password");
        }

        Check("image", IsPinnedImage(settings.Image),
            "is not a pinned image; expected a reference with a version tag or digest such as registry:3.1.1 (not 'latest')");
        Check("helm-version", VersionPattern().IsMatch(settings.HelmVersion), "is not a Helm release; expected a version such as v4.1.4 or v3.21.0");
        Check("helm-version", !settings.HelmVersion.StartsWith("v2.", StringComparison.Ordinal) && !settings.HelmVersion.StartsWith("2.", StringComparison.Ordinal),
            "is Helm 2, which no supported chart installs with (and whose Tiller is an unauthenticated cluster-admin endpoint); expected Helm 3.8 or later, such as v4.1.4");
        Check("helm-download-url", Uri.TryCreate(settings.HelmDownloadUrl, UriKind.Absolute, out var helmUrl) && helmUrl.Scheme is "https" or "http",
            "is not a web address; expected one such as https://get.helm.sh");
        Check("cert-manager-version", CertManagerPattern().IsMatch(settings.CertManagerVersion),
            "is not a cert-manager release this pipeline supports; expected v1.x.y (the cert-manager.io/v1 API), such as v1.21.1");
        if (settings.IngressChartVersion is { } chartVersion)
        {
            Check("ingress-chart-version", VersionPattern().IsMatch(chartVersion), "is not a chart version; expected one such as 4.15.1");
        }

        if (settings.RegistryUrl is { } registryUrl)
        {
            Check("registry-url", Uri.TryCreate(registryUrl, UriKind.Absolute, out var url) && url.Scheme is "https" or "http",
                "is not a registry address; expected one such as https://registry.example.com");
        }

        if (settings.SmokeLayerSize is { } layerSize)
        {
            Check("smoke-layer-size", ByteSize.TryParse(layerSize, out var bytes) && bytes > 0,
                "is not a size; expected one such as 256MiB, 1GiB or 500KB");
        }

        Check("gc-timeout", settings.GcTimeout >= TimeSpan.FromMinutes(1), "is shorter than a minute; expected how long garbage-collect may run, such as 30m or 2h");
        Check("retain-count", settings.RetainCount >= 0, "is negative; expected how many of the newest tags to keep per repository, or 0 for no count rule");
        Check("retain-days", settings.RetainDays >= 0, "is negative; expected an age in days, or 0 for no age rule");
        foreach (var pattern in settings.RetainTags.Where(pattern => !TagPattern().IsMatch(pattern)))
        {
            problems.Add(new SettingProblem("retain-tags", pattern, settings.Origins.GetValueOrDefault("retain-tags")?.Source,
                "is not a tag pattern; expected up to 128 letters, digits, '_', '.', '-', '*' and '?', not starting with '.' or '-', such as latest or v*"));
        }

        // distribution 2.8's collector deletes the per-platform manifests of a tagged multi-platform image as untagged; 3.x checks.
        Check("gc-delete-untagged", !settings.GcDeleteUntagged || settings.ImageMajorVersion >= 3,
            $"is true with {settings.Image}, whose garbage-collect (distribution 2) deletes the per-platform manifests of tagged multi-platform images with it; expected false, or a registry:3 image");
        CheckProxy(settings, Check, Given, problems);
        if (settings.WebUi)
        {
            Check("web-ui-image", IsPinnedImage(settings.WebUiImage),
                "is not a pinned image; expected a reference with a version tag or digest such as joxit/docker-registry-ui:2.6.0 (not 'latest')");
        }

        if (settings.WebUiHost is { } uiHost)
        {
            Check("web-ui-host", settings.WebUi, "is set, but web-ui is false, so there is no UI to serve there; expected web-ui=true, or no web-ui-host");
            Check("web-ui-host", IsDnsSubdomain(uiHost) && !System.Net.IPAddress.TryParse(uiHost, out _),
                "is not a DNS name; expected lower-case letters, digits, '-' and '.', such as registry-ui.example.com");
            Check("web-ui-host", uiHost != settings.Host,
                "is host itself; expected another name for the UI, or no web-ui-host to serve the UI at https://host/ beside /v2/");
            // The UI's name joins the registry's certificate and routes, which name an address differently (IP SANs, no route host).
            Check("web-ui-host", !settings.HostIsAddress,
                $"needs host to be a DNS name too, but host {settings.Host} is an IP address; expected no web-ui-host (the UI is then served at https://{settings.Host}/)");
        }

        if (settings.RetainCount > 0 || settings.RetainDays > 0)
        {
            Check(settings.RetainCount > 0 ? "retain-count" : "retain-days", settings.Mode == RegistryMode.Registry,
                "asks Retention to delete tags, but mode is proxy: a cache's images expire by proxy-ttl and come back on the next pull; expected no retention rule");
            // Retention deletes through the registry's API, which refuses deletes without storage.delete.enabled.
            Check("delete-enabled", settings.DeleteEnabled,
                "is false, but retain-count or retain-days asks Retention to delete tags, which the registry then refuses (405); expected true, or no retention rule");
        }

        Check("wait-timeout", settings.WaitTimeout > TimeSpan.Zero, "is not a positive duration; expected one such as 90s or 5m");
        Check("lock-timeout", settings.LockTimeout >= TimeSpan.Zero, "is not a duration; expected one such as 10m");
        Check("connect-timeout", settings.ConnectTimeout > TimeSpan.Zero, "is not a positive duration; expected one such as 15s or 1m");
        Check("artifacts", !File.Exists(settings.Artifacts.FullPath), "is a file; expected a folder (it is created when missing)");

        if (deploying)
        {
            if (settings.Host is null && !(onlySmokeTest && settings.RegistryUrl is not null))
            {
                problems.Add(new SettingProblem("host", null, null,
                    "is required to deploy; expected the registry's DNS name, as --host=registry.example.com or $REGISTRY_HOST"));
            }

            if (settings.UsesAcme && settings.AcmeEmail is null)
            {
                problems.Add(new SettingProblem("acme-email", null, null,
                    $"is required when tls is {SettingDefinition.KebabName(settings.Tls)}; expected the e-mail Let's Encrypt sends expiry notices to, as --acme-email=ops@example.com"));
            }

            if (settings.UsesAcme && settings.Host is { } acmeHost && IsDnsSubdomain(acmeHost) && (!acmeHost.Contains('.') || settings.HostIsAddress))
            {
                Check("host", false, "cannot get a Let's Encrypt certificate; expected a public DNS name such as registry.example.com, or tls=selfsigned for a local cluster");
            }
        }

        return problems;
    }

    /// <summary>Each store's settings: complete for the one chosen, absent for the others (a forgotten storage=s3 would put the images on a claim).</summary>
    private static void CheckStorage(RegistrySettings settings, Action<string, bool, string> check, Func<string, bool> given, List<SettingProblem> problems)
    {
        var storage = SettingDefinition.KebabName(settings.Storage);
        void Require(string name, string? value, string expected)
        {
            if (value is null)
            {
                problems.Add(new SettingProblem(name, null, null, $"is required with storage={storage}; expected {expected}"));
            }
        }

        var owned = new Dictionary<StorageBackend, string[]>
        {
            [StorageBackend.Filesystem] = ["storage-size", "storage-class", "storage-access-mode"],
            [StorageBackend.S3] = ["s3-bucket", "s3-region", "s3-endpoint", "s3-force-path-style", "s3-root-directory", "s3-encrypt", "s3-secure", "s3-access-key-file", "s3-secret-key-file"],
            [StorageBackend.Gcs] = ["gcs-bucket", "gcs-key-file"],
            [StorageBackend.Azure] = ["azure-account", "azure-container", "azure-account-key-file"],
        };
        foreach (var (backend, names) in owned.Where(pair => pair.Key != settings.Storage))
        {
            foreach (var name in names.Where(given))
            {
                check(name, false, $"belongs to storage={SettingDefinition.KebabName(backend)}, but storage is {storage}; expected storage={SettingDefinition.KebabName(backend)}, or no {name}");
            }
        }

        if (given("storage-redirect"))
        {
            check("storage-redirect", settings.UsesObjectStorage, "belongs to object storage (storage=s3, gcs or azure), but storage is filesystem, which always serves through the registry; expected no storage-redirect");
        }

        // A second driver in registry-config would make the registry refuse to start ("multiple storage drivers").
        if (settings.RegistryConfig?["storage"] is System.Text.Json.Nodes.JsonObject extraStorage)
        {
            foreach (var driver in new[] { "filesystem", "s3", "gcs", "azure", "inmemory" }.Where(driver => driver != storage && extraStorage.ContainsKey(driver)))
            {
                problems.Add(new SettingProblem(SettingsLoader.RegistryConfigKey, null, null,
                    $"sets storage.{driver}, but storage is {storage}; expected storage={driver} with its settings, or only storage.{storage} tuning (such as chunksize) in registry-config"));
            }
        }

        // The registry reads each of them from an environment variable, as YAML: one YAML would read otherwise would arrive changed.
        // (The GCS key is a mounted file, read as JSON.)
        foreach (var (name, secret) in settings.StoreSecrets.Given.Where(pair => pair.Name != "gcs-key-file"))
        {
            if (!IsPlainYamlString(secret.Reveal()))
            {
                problems.Add(new SettingProblem(name, null, null,
                    "would reach the registry changed: it reads the value of an environment variable as YAML (a leading *, &, !, {, [, quote or space, ': ', ' #', or a value YAML reads as a number, boolean or date, such as 0123 or yes); expected a value without them"));
            }
        }

        switch (settings.Storage)
        {
            case StorageBackend.S3:
                Require("s3-bucket", settings.S3Bucket, "the name of an existing bucket, as --s3-bucket=my-registry");
                if (settings.S3Bucket is { } bucket)
                {
                    check("s3-bucket", BucketPattern().IsMatch(bucket) && !bucket.Contains("..", StringComparison.Ordinal) && !bucket.Contains('_'),
                        "is not a bucket name; expected 3 to 63 lower-case letters, digits, '.' and '-', starting and ending with a letter or digit");
                }

                if (settings.S3Endpoint is { } withCredentials && HoldsCredentials(withCredentials))
                {
                    problems.Add(new SettingProblem("s3-endpoint", WithoutCredentials(withCredentials), settings.Origins.GetValueOrDefault("s3-endpoint")?.Source,
                        "holds a user or password, which would be written into the registry's ConfigMap; expected the address alone, and the keys in $REGISTRY_S3_ACCESS_KEY and $REGISTRY_S3_SECRET_KEY"));
                }
                else if (settings.S3Endpoint is { } endpoint)
                {
                    var parsed = Uri.TryCreate(endpoint, UriKind.Absolute, out var address) && address.Scheme is "https" or "http" && address.AbsolutePath == "/" && address.Query.Length == 0;
                    check("s3-endpoint", parsed, "is not an S3 endpoint; expected the API's address without a path, such as https://minio.example.com:9000 or https://ACCOUNT.r2.cloudflarestorage.com");
                    check("s3-secure", !parsed || address!.Scheme == "https" || !settings.S3Secure,
                        $"is true, but s3-endpoint {endpoint} is plain http; expected s3-secure=false to talk to it without TLS, or an https endpoint");
                }
                else
                {
                    // AWS itself: the region decides the endpoint, and a wrong one fails only at the first push.
                    Require("s3-region", settings.S3Region, "the bucket's AWS region, such as --s3-region=eu-west-1 (or s3-endpoint for another store)");
                }

                check("s3-force-path-style", !given("s3-force-path-style") || settings.ImageMajorVersion >= 3,
                    $"is not read by {settings.Image}: distribution 2 addresses the bucket in the path whenever s3-endpoint is set, and in the host name on AWS; expected no s3-force-path-style, or a registry:3 image");
                if (settings.S3Region is { } region)
                {
                    check("s3-region", RegionPattern().IsMatch(region), "is not a region name; expected one such as eu-west-1, us-east-1 or auto (R2)");
                }

                if (settings.S3RootDirectory is { } root)
                {
                    check("s3-root-directory", root.Length > 0 && !root.Any(char.IsWhiteSpace) && !root.Contains("//", StringComparison.Ordinal),
                        "is not a prefix; expected a path such as /registry, without spaces or empty parts");
                }

                var keys = settings.StoreSecrets;
                if ((keys.S3AccessKey is null) != (keys.S3SecretKey is null))
                {
                    problems.Add(new SettingProblem(keys.S3AccessKey is null ? "s3-access-key" : "s3-secret-key", null, null,
                        "is missing while the other S3 key is given; expected both $REGISTRY_S3_ACCESS_KEY and $REGISTRY_S3_SECRET_KEY (or their -file settings), or neither to use the pod's identity"));
                }

                break;
            case StorageBackend.Gcs:
                Require("gcs-bucket", settings.GcsBucket, "the name of an existing bucket, as --gcs-bucket=my-registry");
                if (settings.GcsKeyFile is { } gcsKey)
                {
                    // Unreadable, it would silently mean "no key": the pod's identity, which may not have the bucket.
                    check("gcs-key-file", IsReadableFile(gcsKey), "cannot be read; expected a service account's JSON key file, or no gcs-key-file to use the pod's identity");
                }

                if (settings.GcsBucket is { } gcsBucket)
                {
                    check("gcs-bucket", BucketPattern().IsMatch(gcsBucket), "is not a bucket name; expected 3 to 63 lower-case letters, digits, '.', '-' and '_'");
                }

                break;
            case StorageBackend.Azure:
                Require("azure-account", settings.AzureAccount, "the storage account's name, as --azure-account=myregistrystore");
                Require("azure-container", settings.AzureContainer, "the name of an existing blob container, as --azure-container=registry");
                if (settings.AzureAccount is { } account)
                {
                    check("azure-account", AzureAccountPattern().IsMatch(account), "is not a storage account name; expected 3 to 24 lower-case letters and digits");
                }

                if (settings.ImageMajorVersion < 3 && settings.StoreSecrets.AzureAccountKey is null)
                {
                    problems.Add(new SettingProblem("azure-account-key", null, null,
                        $"is required with storage=azure on {settings.Image}: distribution 2 logs in to Azure with the account key only; expected $REGISTRY_AZURE_ACCOUNT_KEY or azure-account-key-file, or a registry:3 image to use the pod's identity"));
                }

                if (settings.AzureContainer is { } container)
                {
                    check("azure-container", AzureContainerPattern().IsMatch(container) && !container.Contains("--", StringComparison.Ordinal),
                        "is not a container name; expected 3 to 63 lower-case letters, digits and single '-', starting with a letter or digit");
                }

                break;
        }
    }

    private static bool HoldsCredentials(string url) => Uri.TryCreate(url, UriKind.Absolute, out var address) ? address.UserInfo.Length > 0 : url.Contains('@');

    private static string WithoutCredentials(string url) =>
        Regex.Replace(url, @"^(?<scheme>[a-zA-Z][a-zA-Z0-9+.-]*://)[^/]*@", "${scheme}" + Secret.Mask + "@");

    private static bool IsPlainYamlString(string value)
    {
        try
        {
            var stream = new YamlDotNet.RepresentationModel.YamlStream();
            stream.Load(new StringReader(value));
            return stream.Documents.Count == 1
                && stream.Documents[0].RootNode is YamlDotNet.RepresentationModel.YamlScalarNode { Style: YamlDotNet.Core.ScalarStyle.Plain } scalar
                && scalar.Value == value
                && !Yaml11TypedScalar().IsMatch(value);
        }
        catch (YamlDotNet.Core.YamlException)
        {
            return false;
        }
    }

    public static bool IsDnsLabel(string value) => value.Length <= 63 && DnsLabelPattern().IsMatch(value);

    public static bool IsDnsSubdomain(string value) =>
        value.Length <= 253 && value.Split('.').All(label => label.Length <= 63 && DnsLabelPattern().IsMatch(label));

    private static bool IsReadableFile(FilePath path)
    {
        try
        {
            using var stream = File.OpenRead(path.FullPath);
            return true;
        }
        catch (Exception exception) when (exception is IOException or UnauthorizedAccessException)
        {
            return false;
        }
    }

    private static bool IsEmail(string value) =>
        MailAddress.TryCreate(value, out var address)
        && address.Address == value
        && address.Host.Contains('.')
        && !address.Host.StartsWith('.')
        && !address.Host.EndsWith('.');

    private static bool IsHtpasswdUser(string value) =>
        value.Length is > 0 and <= 255 && !value.Any(character => character == ':' || char.IsWhiteSpace(character) || char.IsControl(character));

    private static bool IsPositiveQuantity(string value)
    {
        var match = QuantityPattern().Match(value);
        return match.Success && decimal.Parse(match.Groups["number"].Value, System.Globalization.CultureInfo.InvariantCulture) > 0;
    }

    private static bool IsPinnedImage(string value)
    {
        var match = ImagePattern().Match(value);
        if (!match.Success)
        {
            return false;
        }

        return match.Groups["digest"].Success
            || (match.Groups["tag"].Success && match.Groups["tag"].Value != "latest");
    }

    [GeneratedRegex("^[a-z0-9]([-a-z0-9]*[a-z0-9])?$")]
    private static partial Regex DnsLabelPattern();

    // What YAML 1.1 (go-yaml, which reads the registry's environment) turns into a number, a boolean, null or a time:
    // 0123 becomes 83 and yes becomes true, so a key written like that would reach the driver changed.
    [GeneratedRegex(@"^(~|null|Null|NULL|y|Y|yes|Yes|YES|n|N|no|No|NO|true|True|TRUE|false|False|FALSE|on|On|ON|off|Off|OFF|[-+]?(0[xXoObB][0-9a-fA-F_]+|[0-9][0-9_]*(\.[0-9_]*)?([eE][-+]?[0-9]+)?|\.[0-9]+([eE][-+]?[0-9]+)?|[0-9][0-9_]*(:[0-5]?[0-9])+(\.[0-9_]*)?|\.(inf|Inf|INF|nan|NaN|NAN))|\d{4}-\d\d?-\d\d?([Tt ].*)?)$")]
    private static partial Regex Yaml11TypedScalar();

    // S3's and GCS's bucket names; GCS also takes '_'.
    [GeneratedRegex("^[a-z0-9][a-z0-9._-]{1,61}[a-z0-9]$")]
    private static partial Regex BucketPattern();

    [GeneratedRegex("^[a-z0-9][a-z0-9-]*[a-z0-9]$")]
    private static partial Regex RegionPattern();

    [GeneratedRegex("^[a-z0-9]{3,24}$")]
    private static partial Regex AzureAccountPattern();

    [GeneratedRegex("^[a-z0-9][a-z0-9-]{1,61}[a-z0-9]$")]
    private static partial Regex AzureContainerPattern();

    // Kubernetes' quantity grammar: a decimal number, then a binary (Ki..Ei) or decimal (m, k..E) suffix or an exponent.
    [GeneratedRegex(@"^(?<number>\d+(\.\d*)?|\.\d+)(Ki|Mi|Gi|Ti|Pi|Ei|m|k|M|G|T|P|E|[eE][-+]?\d+)?$")]
    private static partial Regex QuantityPattern();

    // The distribution reference grammar, simplified: [registry[:port]/]path[:tag][@digest].
    [GeneratedRegex(@"^(?<name>([a-zA-Z0-9.-]+(:\d+)?/)?[a-z0-9]+([._-][a-z0-9]+)*(/[a-z0-9]+([._-][a-z0-9]+)*)*)(:(?<tag>[\w][\w.-]{0,127}))?(@(?<digest>sha256:[a-f0-9]{64}))?$")]
    private static partial Regex ImagePattern();

    [GeneratedRegex(@"^v?\d+\.\d+\.\d+([-+][0-9A-Za-z.-]+)?$")]
    private static partial Regex VersionPattern();

    [GeneratedRegex(@"^v1\.\d+\.\d+([-+][0-9A-Za-z.-]+)?$")]
    private static partial Regex CertManagerPattern();

    private static void CheckProxy(RegistrySettings settings, Action<string, bool, string> Check, Func<string, bool> Given, List<SettingProblem> problems)
    {
        if (settings.ProxyRemoteUrl is { } withLogin && HoldsCredentials(withLogin))
        {
            // Never repeated, whatever the mode: the URL is shown without its login.
            problems.Add(new SettingProblem("proxy-remote-url", WithoutCredentials(withLogin), settings.Origins.GetValueOrDefault("proxy-remote-url")?.Source,
                "holds a user or password, which would be written into the registry's ConfigMap; expected the address alone, and the login in $REGISTRY_PROXY_USERNAME and $REGISTRY_PROXY_PASSWORD"));
            return;
        }

        if (settings.Mode != RegistryMode.Proxy)
        {
            foreach (var name in new[] { "proxy-remote-url", "proxy-ttl", "proxy-username-file", "proxy-password-file" }.Where(Given))
            {
                Check(name, false, "is set, but mode is registry; expected mode=proxy with it, or no proxy setting");
            }

            return;
        }

        if (settings.ProxyRemoteUrl is not { } remote)
        {
            Check("proxy-remote-url", false, "is missing, and mode=proxy caches it; expected the upstream registry, such as https://registry-1.docker.io");
            return;
        }

        // distribution appends /v2/ to it as text: a path (or a trailing slash) would ask the upstream the wrong thing.
        var valid = Uri.TryCreate(remote, UriKind.Absolute, out var url) && url.Scheme is "https" or "http" && url.Query.Length == 0 && url.AbsolutePath == "/" && !remote.EndsWith('/');
        Check("proxy-remote-url", valid,
            "is not a registry's address; expected https://HOST[:PORT] with no path, no trailing slash and no login in it (the login comes from $REGISTRY_PROXY_USERNAME and $REGISTRY_PROXY_PASSWORD)");
        Check("proxy-remote-url", !valid || url!.Scheme == "https" || settings.StoreSecrets.ProxyPassword is null,
            "is plain http, and an upstream password is given: it would cross the network in clear; expected https://");
        // A user without its password (or the other way round) fails every pull, public images included.
        Check(settings.StoreSecrets.ProxyUsername is null ? "proxy-password-file" : "proxy-username-file",
            (settings.StoreSecrets.ProxyUsername is null) == (settings.StoreSecrets.ProxyPassword is null),
            "gives half of the upstream login; expected both $REGISTRY_PROXY_USERNAME and $REGISTRY_PROXY_PASSWORD (or their files), or neither for anonymous pulls");
        if (settings.ProxyTtl is { } ttl)
        {
            Check("proxy-ttl", settings.ImageMajorVersion >= 3, $"is set, but {settings.Image} (distribution 2) has no proxy.ttl and keeps 168h; expected a registry:3 image, or no proxy-ttl");
            Check("proxy-ttl", ttl == TimeSpan.Zero || ttl >= TimeSpan.FromMinutes(1), "is under a minute; expected how long cached content is kept, such as 168h, or 0s to keep it for ever");
        }

        // Each pod keeps its own list of what expires and writes it over the others' in the shared store.
        Check("replicas", settings.Replicas == 1 && settings.AutoscaleMax == 0,
            "is more than 1 with mode=proxy: each cache pod keeps its own expiry list in the one store and overwrites the others', so content stops expiring; expected 1 replica");
        // Expiry deletes through the registry's own delete, which storage.delete.enabled gates.
        Check("delete-enabled", settings.DeleteEnabled, "is false with mode=proxy: the cache could never delete what expired and would grow without end; expected true");

        Check("smoke-docker", !settings.SmokeDocker, "pushes an image, which a pull-through cache refuses; expected false with mode=proxy (SmokeTest pulls smoke-proxy-image instead)");
        // A first part with a dot, a colon or localhost would be a registry host: the image is the upstream's, named as the cache serves it.
        var first = settings.SmokeProxyImage.Split('/')[0];
        Check("smoke-proxy-image", SmokeProxyImagePattern().IsMatch(settings.SmokeProxyImage) && !(settings.SmokeProxyImage.Contains('/') && (first.Contains('.') || first == "localhost")),
            "is not an image of the upstream registry; expected repository:tag with no host, such as library/busybox:1.37");
    }

    [GeneratedRegex(@"^[a-z0-9]+([._-][a-z0-9]+)*(/[a-z0-9]+([._-][a-z0-9]+)*)*:[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}$")]
    private static partial Regex SmokeProxyImagePattern();

    // A tag is [A-Za-z0-9_][A-Za-z0-9_.-]{0,127} (distribution's reference grammar); a pattern may also hold * and ?.
    [GeneratedRegex(@"^[A-Za-z0-9_*?][A-Za-z0-9_.*?-]{0,127}$")]
    private static partial Regex TagPattern();
}
