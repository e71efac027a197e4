using Cake.Common.Diagnostics;
using Registry.Build.Ci;
using Registry.Build.Inventory;
using Registry.Build.Kubernetes;
using Registry.Build.Registry;

namespace Registry.Build.State;

/// <summary>
/// This run's desired state, built once from the settings and what the cluster already holds (its credentials,
/// whether the namespace is the pipeline's), and shared by every step. Secrets are masked in the CI log before
/// anything else could print them.
/// </summary>
public sealed class RunDesiredState(ClusterConnector connector, Declaration declaration)
{
    private DesiredState? state;
    private Func<DesiredState>? readOnly;
    private Task<RegistryCredentials>? credentialsAhead;

    /// <summary>
    /// Starts resolving a Deploy's credentials once <paramref name="read"/> (the members) is done: verifying a kept
    /// hash is most of a no-op Deploy's own work, and runs so while other answers are on their way. Nothing is logged
    /// here: the step that builds the state takes the result as if it had resolved them itself, and resolves them
    /// again where this failed (with the failure's own message, if it fails again).
    /// </summary>
    public Task ResolveCredentialsAfter(Task read, BuildContext context, KubernetesApi api) => credentialsAhead ??= ResolveAfterAsync(read, context, api);

    private static async Task<RegistryCredentials> ResolveAfterAsync(Task read, BuildContext context, KubernetesApi api)
    {
        // Whether the members came or not: what failed is asked again where it is needed.
        await read.ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        return await RegistryCredentials.ResolveAsync(context.Settings, api, context.Cancellation);
    }

    /// <summary>For the steps that apply it.</summary>
    public async Task<DesiredState> GetAsync(BuildContext context) =>
        state ??= await BuildAsync(context, (await connector.ConnectAsync(context.Cancellation)).Api, applying: true);

    /// <summary>For Plan and Render, which write nothing: without a cluster (<paramref name="api"/> null) credentials are made afresh.</summary>
    public async Task<DesiredState> PreviewAsync(BuildContext context, KubernetesApi? api) =>
        state ??= await BuildAsync(context, api, applying: false);

    /// <summary>The same state with the registry read-only (GarbageCollect's window), from the same reads of the cluster.</summary>
    public async Task<DesiredState> ReadOnlyAsync(BuildContext context)
    {
        await GetAsync(context);
        return readOnly!();
    }

    /// <summary>
    /// RotatePassword's state: the user's password is the one given, else a new generated one, and everything that
    /// holds it (htpasswd, the kept password, the pull secrets) follows. Built for that step alone, never shared.
    /// </summary>
    public async Task<DesiredState> RotatedAsync(BuildContext context) =>
        await BuildAsync(context, (await connector.ConnectAsync(context.Cancellation)).Api, applying: true, rotate: true);

    private async Task<DesiredState> BuildAsync(BuildContext context, KubernetesApi? api, bool applying, bool rotate = false)
    {
        var settings = context.Settings;
        var credentials = applying && !rotate && credentialsAhead is { IsCompletedSuccessfully: true } ahead
            ? ahead.Result
            : await RegistryCredentials.ResolveAsync(settings, api, context.Cancellation, rotate);
        CiLog.Mask(context, credentials.HttpSecret);
        CiLog.Mask(context, credentials.GeneratedLogin?.Password);
        CiLog.Mask(context, credentials.PreviousLogin?.Password);
        var read = $"kubectl -n {settings.Namespace} get secret {RegistryCredentials.PasswordSecret} -o jsonpath='{{.data.password}}' | base64 -d";
        if (rotate && credentials.PasswordIsNew)
        {
            context.Information($"User {settings.User} gets a new generated password, kept in Secret {settings.Namespace}/{RegistryCredentials.PasswordSecret}. Read it with: {read}");
        }
        else if (credentials.PasswordIsNew)
        {
            // Never the password itself: where to read it, for whoever may.
            context.Information(applying
                ? $"No password was given and user {settings.User} has none in the cluster, so one was generated. Read it with: {read}"
                : $"No password was given and user {settings.User} has none in the cluster: Deploy would generate one and keep it in Secret {settings.Namespace}/{RegistryCredentials.PasswordSecret}.");
        }
        else if (credentials.EntryKept)
        {
            context.Information(
                $"No password was given: user {settings.User}'s htpasswd entry in {settings.Namespace}/{RegistryCredentials.HtpasswdSecret} is kept as it is. " +
                "To change the password, set $REGISTRY_PASSWORD or password-file.");
        }

        // The given ones were masked when the run began; the ones read from the cluster are new to the log.
        foreach (var key in credentials.StoreKeysKept)
        {
            CiLog.Mask(context, credentials.StoreKeys[key]);
        }

        SayWhereStoreKeysComeFrom(context, credentials);
        var applySet = new ApplySet(settings.Namespace);
        if (settings.PullSecretNamespaces.Count > 0)
        {
            credentials = credentials with { PullLogin = await PullLoginAsync(settings, credentials, api, applySet, context.Cancellation) };
            CiLog.Mask(context, credentials.PullLogin.Password);
            CiLog.Mask(context, new Settings.Secret(Convert.ToBase64String(System.Text.Encoding.UTF8.GetBytes(PullSecret.DockerConfigJson(settings.Host!, credentials.PullLogin)))));
            CiLog.Mask(context, new Settings.Secret(PullSecret.LoginBase64(credentials.PullLogin)));
        }

        var live = api is null ? null : await api.ReadAsync(ResourceAddress.For<k8s.Models.V1Namespace>(null, settings.Namespace), context.Cancellation);
        var ownsNamespace = live is null || applySet.IsMember(live);
        // Local tools find a local cluster's registry through kube-public/local-registry-hosting: written when the
        // cluster was told to be local and the registry is served as localhost (or on minikube's node IP) there, then kept while it is the
        // pipeline's (a run that does not detect, such as an exclusive Prune or Plan, must not take it for an orphan).
        // One that is there already and someone else's (kind's own local-registry recipe writes it) stays as it is.
        var announce = false;
        var servedLocally = context.Distribution is { } distribution && (settings.Host == LocalClusterDefaults.Host || settings.Host == distribution.Address);
        // Off a local cluster it can only be kept, and only if the inventory records it: else nothing to read.
        var recorded = api is not null && ApplySet.NamespacesOf(await api.ReadAsync(applySet.ParentAddress, context.Cancellation)).Contains(Declaration.LocalRegistryHostingNamespace);
        if (api is not null && (servedLocally || recorded))
        {
            var hosting = await api.ReadAsync(ResourceAddress.For<k8s.Models.V1ConfigMap>(Declaration.LocalRegistryHostingNamespace, Declaration.LocalRegistryHostingName), context.Cancellation);
            announce = hosting is null ? servedLocally : applySet.IsMember(hosting);
            if (hosting is not null && !announce && servedLocally)
            {
                context.Information($"{Declaration.LocalRegistryHostingNamespace}/{Declaration.LocalRegistryHostingName} is there and not this pipeline's: local tools keep reading what it says.");
            }
        }

        // A ServiceMonitor only where the Prometheus Operator's CRD is; a Render without a cluster writes it for whoever applies it.
        var serviceMonitors = settings.Metrics && (api is null
            || await api.ReadAsync(ResourceAddress.For<k8s.Models.V1CustomResourceDefinition>(null, Kubernetes.Monitoring.ServiceMonitor.Crd), context.Cancellation) is not null);
        if (settings.Metrics && !serviceMonitors)
        {
            context.Information($"metrics=true: the cluster has no ServiceMonitor CRD (Prometheus Operator), so none is made; scrape Service {settings.Namespace}/docker-registry port metrics (5001, /metrics).");
        }

        var onNodePorts = context.Distribution is { IsKind: true } or { IsMinikube: true };
        readOnly = () => declaration.Build(settings, credentials, ownsNamespace, announce, onNodePorts, serviceMonitors, readOnly: true);
        return declaration.Build(settings, credentials, ownsNamespace, announce, onNodePorts, serviceMonitors);
    }

    // Which keys the registry logs in to its store with, never what they are: a kept key or the pod's identity is a choice the user should see.
    private static void SayWhereStoreKeysComeFrom(BuildContext context, RegistryCredentials credentials)
    {
        var settings = context.Settings;
        if (credentials.StoreKeysKept.Count > 0)
        {
            context.Information(
                $"Not given in this run, so kept as Secret {settings.Namespace}/{StorageSecret.Name} has them: {string.Join(", ", credentials.StoreKeysKept)}. " +
                "Give new ones to change them; delete the Secret to stop using them.");
        }

        // Given but read by nothing this run declares: most likely a store or cache setting forgotten.
        var used = StorageSecret.Entries(settings).Select(entry => entry.Input).ToHashSet();
        foreach (var (input, _) in settings.StoreSecrets.Given)
        {
            if (!used.Contains(input))
            {
                var variable = Settings.SettingsLoader.Secrets.FirstOrDefault(secret => secret.Name == input)?.Variable is { } name ? $"${name}" : input;
                var why = input.StartsWith("proxy-", StringComparison.Ordinal)
                    ? "mode is registry, not proxy"
                    : $"storage is {Settings.SettingDefinition.KebabName(settings.Storage)}{(settings.RedisUrl is null ? " and there is no redis-url" : string.Empty)}";
                context.Warning($"{variable} is given but not used: {why}.");
            }
        }

        var store = Settings.SettingDefinition.KebabName(settings.Storage);
        var keyless = settings.Storage switch
        {
            Settings.StorageBackend.S3 => !credentials.StoreKeys.ContainsKey("s3-access-key"),
            Settings.StorageBackend.Gcs => !credentials.StoreKeys.ContainsKey(StorageSecret.GcsKeyFile),
            Settings.StorageBackend.Azure => !credentials.StoreKeys.ContainsKey(StorageSecret.AzureAccountKey),
            _ => false,
        };
        if (!keyless)
        {
            return;
        }

        var identity = settings.ServiceAccount is { } account ? $"ServiceAccount {account}'s" : "the namespace's default ServiceAccount's (set service-account for another)";
        if (settings.ImageMajorVersion < 3 && settings.Storage is Settings.StorageBackend.S3)
        {
            // distribution 2.8's AWS SDK predates web identity tokens: no IRSA, only the node's instance role.
            context.Warning($"storage=s3 without keys: {settings.Image} (distribution 2) cannot use a pod identity (IRSA); it logs in with the node's EC2 instance role, if any. Use registry:3, or give $REGISTRY_S3_ACCESS_KEY and $REGISTRY_S3_SECRET_KEY.");
        }
        else
        {
            context.Information($"storage={store} without keys: the registry logs in with the pod's identity, {identity} (IRSA or EKS Pod Identity, GKE or Azure workload identity).");
        }
    }

    // The pull secrets need pull-secret-user's password in clear. Without one given or generated in this run (the
    // user's htpasswd entry was kept), a pull secret the pipeline wrote before still holds it: it is taken when it
    // still verifies against the htpasswd, so keeping the credentials never means losing the pull secrets.
    private static async Task<Credential> PullLoginAsync(Settings.RegistrySettings settings, RegistryCredentials credentials, KubernetesApi? api, ApplySet applySet, CancellationToken cancellationToken)
    {
        var user = settings.PullSecretUser ?? settings.User;
        if (settings.Users?.FirstOrDefault(entry => entry.User == user) is { } listed)
        {
            return listed;
        }

        if (credentials.Login is { } login && login.User == user)
        {
            return login;
        }

        var hash = Htpasswd.Parse(credentials.Htpasswd).GetValueOrDefault(user);
        foreach (var ns in api is null || hash is null ? [] : settings.PullSecretNamespaces)
        {
            var secret = await api!.ReadAsync(ResourceAddress.For<k8s.Models.V1Secret>(ns, settings.PullSecretName), cancellationToken);
            if (secret is not null && applySet.IsMember(secret)
                && secret["data"]?[PullSecret.Key]?.GetValue<string>() is { } encoded
                && PullSecret.LoginFor(System.Text.Encoding.UTF8.GetString(Convert.FromBase64String(encoded)), settings.Host!) is { } held
                && held.User == user && Htpasswd.Verifies(hash!, held.Password.Reveal()))
            {
                return held;
            }
        }

        throw new Cake.Core.CakeException(
            $"pull-secret-namespaces needs user {user}'s password for the pull secrets, but this run does not know it: its htpasswd entry was kept as the cluster has it, " +
            $"and no pull secret of this pipeline holds it. Set $REGISTRY_PASSWORD or password-file to {user}'s password (a new one changes it everywhere in this run).");
    }
}
