using Cake.Core;
using Cake.Common.Diagnostics;
using Registry.Build.Ci;
using Registry.Build.Diagnostics;
using Registry.Build.Host;
using Registry.Build.Kubernetes;
using Registry.Build.LocalCluster;
using Registry.Build.Settings;
using Registry.Build.Tasks;

namespace Registry.Build;

/// <summary>
/// Stops a run with bad settings before its first task, so nothing reaches a cluster; after a failed run,
/// collects what the cluster can tell about why.
/// </summary>
public sealed class BuildLifetime(ClusterConnector connector, RunLock runLock, WaitPolling polling, RunSummary summary, KindCluster kindCluster,
    LocalDistributions distributions, RunScope scope, State.Declaration declaration, State.RunDesiredState desiredState)
    : FrostingLifetime<BuildContext>
{
    private string target = string.Empty;

    private static readonly TimeSpan DiagnosticsTimeout = TimeSpan.FromMinutes(1);

    public override void Setup(BuildContext context, ISetupContext info)
    {
        // A dry run only lists the tasks; it must not validate, create a cluster or take the lock.
        if (scope.IsDryRun)
        {
            context.IsDryRun = true;
            return;
        }

        // Without --target Frosting runs Default, which is a Deploy: the lock and the summary say what it does.
        target = info.TargetTask.Name == TaskNames.Of(typeof(DefaultTask)) ? TaskNames.Of(typeof(DeployTask)) : info.TargetTask.Name;
        var tasks = scope.TasksOf(info);
        MaskSecrets(context);
        var deploying = tasks.Any(task => task.Name == TaskNames.Of(typeof(ValidateTask)));
        var onlySmokeTest = tasks.Select(task => task.Name).SequenceEqual([TaskNames.Of(typeof(SmokeTestTask))]);
        var destroying = tasks.Any(task => task.Name == TaskNames.Of(typeof(DestroyTask)));
        var problems = context.SettingsProblems
            .Concat(SettingsValidator.Validate(context.Settings, deploying || onlySmokeTest, onlySmokeTest))
            .ToList();
        // Cake's setup sees the first target's tasks only: validation and the lock would not cover the others.
        if (context.Arguments.GetArguments("target") is { Count: > 1 } targets)
        {
            problems.Add(new SettingProblem("target", string.Join(", ", targets), SettingSource.CommandLine,
                "names several tasks; expected one target per run"));
        }

        if (destroying && !context.Settings.Confirm)
        {
            problems.Add(new SettingProblem("confirm", null, null,
                "is required to Destroy: it removes the registry from the cluster; expected --confirm=true"));
        }

        // No cluster at all is the one thing to say, with the ways forward; the host it would have defaulted is noise then.
        var usesCluster = tasks.Any(task => WritingTasks.Contains(task.Name) || ReadingTasks.Contains(task.Name));
        // Only a run that deploys makes a cluster: Plan, Status or Destroy against one that is not there have nothing to do.
        var installing = tasks.Any(task => task.Name == TaskNames.Of(typeof(NamespaceTask)));
        var creating = installing && context.Settings.CreateCluster == ClusterCreation.Kind;
        var kubeconfig = KubeconfigSource.Find(context.Settings, context.Environment, out var searched);
        if (usesCluster && !creating && context.Settings.CreateCluster == ClusterCreation.Kind
            && (kubeconfig is null || (!kubeconfig.InCluster && !kubeconfig.Files.Any(File.Exists))))
        {
            problems.RemoveAll(problem => problem.Setting == "host");
            problems.Insert(0, new SettingProblem("create-cluster", null, null,
                $"is kind, but only a Deploy creates the cluster and there is none yet for {target}; expected './build.sh --create-cluster=kind' first"));
        }
        else if (usesCluster && !creating && kubeconfig is null)
        {
            problems.RemoveAll(problem => problem.Setting == "host");
            problems.Insert(0, new SettingProblem("kubeconfig", null, null,
                $"finds no cluster to work on: {searched}. Either let the pipeline create a local one with kind, " +
                "'./build.sh --create-cluster=kind' (needs kind and a running Docker; it then deploys as localhost; by hand: " +
                "'kind create cluster --name registry --config k8s/kind-cluster.yaml' then './build.sh'), " +
                "or point at an existing cluster with --kubeconfig=FILE or $KUBECONFIG"));
        }

        if (problems.Count > 0)
        {
            throw new CakeException(
                RunOutcome.UsageErrorExitCode,
                $"The settings have {problems.Count} problem{(problems.Count == 1 ? string.Empty : "s")}; nothing was run:"
                + string.Concat(problems.Select(problem => Environment.NewLine + "  " + problem)));
        }

        // Another core gets the desired state's code ready while the checks and the lock wait on the API server. With
        // one core it would only hold the thread pool's one worker that the answers are waiting for.
        if (installing && usesCluster && Environment.ProcessorCount > 1)
        {
            _ = State.WarmUp.Start(declaration, context.Settings);
        }

        // The cluster comes first: everything after it, the run lock included, talks to it.
        if (creating)
        {
            kindCluster.Ensure(context.Settings);
        }

        // What a Deploy, Plan or Render chooses depends on the cluster; Destroy and Status go by what the inventory and
        // settings say. Render works without a cluster, so one it cannot reach changes nothing.
        // A host that is the local default may still change with what the cluster is (minikube's node IP): every run
        // that talks to the cluster serves, checks and reports the same host, exclusive steps and Status included.
        var localDefaultHost = context.Settings.Origins.GetValueOrDefault("host")?.Source is { } hostSource && LocalClusterDefaults.IsDefaultHost(hostSource);
        if (usesCluster && deploying)
        {
            ReadBeforeChecks(context);
        }

        if (usesCluster && (deploying || localDefaultHost))
        {
            KeepInstalledIngressNginx(context);
            DetectLocalDistribution(context);
        }
        else if (deploying && kubeconfig is not null)
        {
            try
            {
                KeepInstalledIngressNginx(context);
                DetectLocalDistribution(context);
            }
            catch (Exception exception) when (exception is CakeException or KubernetesApiException or HttpRequestException)
            {
                context.Verbose($"No cluster to tell the distribution from ({exception.Message}).");
            }
        }

        // The namespaces that get a pull secret are the user's: never created, and a missing one stops the run before it writes.
        if (usesCluster && deploying && context.Settings.PullSecretNamespaces.Count > 0)
        {
            CheckPullSecretNamespaces(context);
        }

        // A shared Gateway, or the GatewayClass of an existing controller, must be there before anything is written.
        if (usesCluster && deploying && context.Settings.Exposure == Settings.Exposure.Gateway)
        {
            CheckGateway(context);
        }

        // Pods that name a missing ServiceAccount are never created: the rollout would only time out.
        if (usesCluster && deploying && context.Settings.ServiceAccount is not null)
        {
            CheckServiceAccount(context);
        }

        // A Deploy makes the registry writable: not while an earlier GarbageCollect's pod may still be deleting blobs.
        if (usesCluster && deploying)
        {
            var api = connector.ConnectAsync(context.Cancellation).GetAwaiter().GetResult().Api;
            if (new Registry.GarbageCollectJob(api, context.Log, polling.Interval).RunningPodAsync(context.Settings.Namespace, context.Cancellation).GetAwaiter().GetResult() is { } collecting)
            {
                throw new CakeException(
                    $"Pod {context.Settings.Namespace}/{collecting} of a GarbageCollect is still running: a Deploy would make the registry writable while it deletes blobs, and a push then could lose layers. " +
                    "Wait until it has finished (kubectl logs -f it), then Deploy.");
            }
        }

        // A registry pointed at another store serves none of its images: that takes a copy first, and a word from the user.
        if (usesCluster && deploying && !context.Settings.ConfirmStorageChange)
        {
            CheckStorageChange(context);
        }

        // NodeTrust writes where containerd reads; a node whose runtime reads elsewhere would be told nothing.
        if (usesCluster && deploying && context.Settings.TrustCaOnNodes)
        {
            CheckNodeRuntimes(context);
        }

        // Two runs that change the cluster must not interleave; a run that only reads needs no lock.
        if (tasks.Any(task => WritingTasks.Contains(task.Name)))
        {
            // Destroy, Retention, GarbageCollect or RotatePassword on a cluster without the namespace have nothing to
            // work on and must create nothing, lock included.
            var maintaining = tasks.Any(task => task.Name == TaskNames.Of(typeof(RetentionTask)) || task.Name == TaskNames.Of(typeof(RotatePasswordTask)));
            runLock.AcquireAsync(context.Settings, target, polling.Interval, createNamespace: !destroying && !maintaining, context.Cancellation).GetAwaiter().GetResult();
            // What this run read so far may predate another run's writes (one it waited for, or one that ended just
            // before): from here on, it reads the cluster as the lock leaves it.
            connector.Connected?.Api.Forget();
        }

        if (usesCluster && deploying && connector.Connected is not null)
        {
            ReadAhead(context, installing);
        }
    }

    /// <summary>
    /// What the checks before the lock read, asked at once instead of one round trip after another: the class
    /// ingress-nginx may serve, a few nodes (the distribution), a collection's pods, the registry's config, its
    /// namespace (the lock's), the inventory's parent, and what the settings name (namespaces, a ServiceAccount, the
    /// Gateway). A run that takes the lock drops them all once it holds it; what it reads ahead then includes the member
    /// kinds the parent named here.
    /// </summary>
    private void ReadBeforeChecks(BuildContext context)
    {
        var settings = context.Settings;
        var api = connector.ConnectAsync(context.Cancellation).GetAwaiter().GetResult().Api;
        var applySet = new Inventory.ApplySet(settings.Namespace);
        var reads = new List<Task>
        {
            api.ReadAsync(ResourceAddress.For<k8s.Models.V1Namespace>(null, settings.Namespace), context.Cancellation),
            api.ReadAsync(ResourceAddress.For<k8s.Models.V1ConfigMap>(settings.Namespace, State.Declaration.ConfigName), context.Cancellation),
            ReadParentAsync(),
            LocalDistribution.SampleNodesAsync(api, context.Cancellation),
            new Registry.GarbageCollectJob(api, context.Log, polling.Interval).RunningPodAsync(settings.Namespace, context.Cancellation),
        };
        if (settings.Exposure == Settings.Exposure.Ingress && !settings.Origins.ContainsKey("ingress-class") && !settings.Origins.ContainsKey("ingress-controller"))
        {
            reads.Add(api.ReadAsync(ResourceAddress.For<k8s.Models.V1IngressClass>(null, "nginx"), context.Cancellation));
        }

        reads.AddRange(settings.PullSecretNamespaces.Select(ns => api.ReadAsync(ResourceAddress.For<k8s.Models.V1Namespace>(null, ns), context.Cancellation)));
        if (settings.ServiceAccount is { } serviceAccount)
        {
            reads.Add(api.ReadAsync(ResourceAddress.For<k8s.Models.V1ServiceAccount>(settings.Namespace, serviceAccount), context.Cancellation));
        }

        if (settings.Exposure == Settings.Exposure.Gateway)
        {
            reads.Add(settings.SharesGateway
                ? api.ReadAsync(ResourceAddress.For<Kubernetes.GatewayApi.Gateway>(settings.GatewayNamespace, settings.GatewayName), context.Cancellation)
                : api.ReadAsync(Prerequisites.GatewayApiCrds.GatewayClass(settings.GatewayClassName), context.Cancellation));
        }

        Await(context, "Reading before the checks", reads);

        // Only a hint of what to list after the lock, where the parent is read (GET) again as it is then: found by its
        // id label, as the one request a run makes for it before the lock.
        async Task ReadParentAsync()
        {
            var found = await api.ReadListAsync(applySet.ParentAddress with { Name = string.Empty }, $"{Inventory.ApplySet.IdLabel}={applySet.Id}", context.Cancellation);
            var parent = (found["items"] as System.Text.Json.Nodes.JsonArray ?? []).OfType<System.Text.Json.Nodes.JsonObject>().FirstOrDefault(applySet.IsParent);
            kindsBeforeLock = Inventory.ApplySet.GroupKindsOf(parent);
        }
    }

    // The member kinds the inventory named before the lock: after the lock, listed together with the parent's read
    // rather than once it has returned.
    private IReadOnlyList<string> kindsBeforeLock = [];

    private static void Await(BuildContext context, string what, List<Task> reads)
    {
        try
        {
            Task.WhenAll(reads).GetAwaiter().GetResult();
        }
        catch (Exception exception) when (!context.Cancellation.IsCancellationRequested)
        {
            context.Verbose($"{what}: {exception.Message} (asked again where it is needed).");
        }
    }

    /// <summary>
    /// What the checks below and the steps will read, asked all at once instead of one round trip after another: what
    /// the pipeline made before (a list per kind the inventory records), the prerequisites' lists, a collection's pods,
    /// the private CA, and for a Deploy whether the registry answers (Rollout's check) and its credentials (a kept
    /// hash verified while the last answers arrive). Each answer lands in the run's view; one that fails here is asked
    /// again where it is needed, and fails there with that step's message.
    /// </summary>
    private void ReadAhead(BuildContext context, bool installing)
    {
        var settings = context.Settings;
        var api = connector.Connected!.Api;
        var prerequisites = new Prerequisites.ClusterPrerequisites(connector);
        var members = new Inventory.ApplySet(settings.Namespace).ReadAllAsync(api, kindsBeforeLock, context.Cancellation);
        var reads = new List<Task>
        {
            members,
            installing ? desiredState.ResolveCredentialsAfter(members, context, api) : Task.CompletedTask,
            prerequisites.CertManagerAsync(context.Cancellation),
            Prerequisites.LeftoverTiller.FindAsync(api, context.Cancellation),
        };
        if (settings.Exposure == Settings.Exposure.Ingress)
        {
            reads.Add(prerequisites.IngressControllerAsync(settings.IngressClass, context.Cancellation));
        }

        if (settings.Tls == TlsMode.Selfsigned)
        {
            reads.Add(Tls.PrivateCa.ReadAsync(api, settings, context.Cancellation));
        }

        // Whether the registry answers, for Rollout's check: only where it was deployed before (Plan asks nothing of it).
        if (installing && kindsBeforeLock.Count > 0)
        {
            reads.Add(RolloutTask.AnswerAsync(api, settings.Namespace, context.Cancellation));
        }

        Await(context, "Reading ahead", reads);
    }

    // The host the registry's Ingress serves now, when the pipeline has deployed it before.
    private string? ServedHost(BuildContext context)
    {
        var api = connector.ConnectAsync(context.Cancellation).GetAwaiter().GetResult().Api;
        var ingress = api.ReadAsync(ResourceAddress.For<k8s.Models.V1Ingress>(context.Settings.Namespace, "docker-registry"), context.Cancellation).GetAwaiter().GetResult();
        return ingress is not null && new Inventory.ApplySet(context.Settings.Namespace).IsMember(ingress) ? ingress["spec"]?["rules"]?[0]?["host"]?.GetValue<string>() : null;
    }

    private void CheckServiceAccount(BuildContext context)
    {
        var settings = context.Settings;
        var api = connector.ConnectAsync(context.Cancellation).GetAwaiter().GetResult().Api;
        if (api.ReadAsync(ResourceAddress.For<k8s.Models.V1ServiceAccount>(settings.Namespace, settings.ServiceAccount!), context.Cancellation).GetAwaiter().GetResult() is null)
        {
            throw Refused(settings, "service-account",
                $"names a ServiceAccount namespace {settings.Namespace} does not have; expected an existing one (create it first, with the annotation that gives it its cloud identity), " +
                "or no service-account for the namespace's default; the pipeline never creates or changes it");
        }
    }

    private void CheckStorageChange(BuildContext context)
    {
        var settings = context.Settings;
        var api = connector.ConnectAsync(context.Cancellation).GetAwaiter().GetResult().Api;
        var live = api.ReadAsync(ResourceAddress.For<k8s.Models.V1ConfigMap>(settings.Namespace, State.Declaration.ConfigName), context.Cancellation).GetAwaiter().GetResult();
        if (live is null || !new Inventory.ApplySet(settings.Namespace).IsMember(live) || live["data"]?["config.yml"]?.GetValue<string>() is not { } liveConfig)
        {
            return;
        }

        // A cache asks the upstream for every tag: the images pushed to a registry made into one could no longer be pulled.
        if (settings.Mode == RegistryMode.Proxy && Manifests.YamlToJson.Documents(liveConfig).Single()["proxy"]?["remoteurl"] is null)
        {
            throw Refused(settings, "mode",
                $"would turn the registry in {settings.Namespace}, whose store holds the images pushed to it, into a pull-through cache of {settings.ProxyRemoteUrl}: " +
                "a cache asks the upstream for every tag, so those images could no longer be pulled. Expected a cache in a namespace of its own (its own settings file, " +
                "namespace and host, beside the registry), or confirm-storage-change=true to make this registry a cache all the same");
        }

        var from = Registry.StoreLocation.Of(liveConfig);
        var to = Registry.StoreLocation.Of(declaration.ConfigYml(settings));
        if (from is null || to is null || from.Difference(to) is not { } difference)
        {
            return;
        }

        // The setting that moves it, named as the user gave it.
        var setting = (difference, to.Driver) switch
        {
            ("bucket", "s3") => "s3-bucket",
            ("bucket", "gcs") => "gcs-bucket",
            ("regionendpoint", _) => "s3-endpoint",
            ("rootdirectory", "s3") => "s3-root-directory",
            ("accountname", _) => "azure-account",
            ("container", _) => "azure-container",
            _ => "storage",
        };
        throw Refused(settings, setting,
            $"would move the registry in {settings.Namespace} from the store it serves ({from}) to another ({to}), where its images are not: they do not move by themselves. " +
            "Copy them first, image by image through the registry API (skopeo sync, crane copy) or as files (the docker/ tree under the old root, with rclone copy or aws s3 sync), " +
            "then deploy again; expected the store the registry has, or confirm-storage-change=true once the images are copied (the old claim is kept until Destroy with purge-data=true)");
    }

    private void CheckPullSecretNamespaces(BuildContext context)
    {
        var api = connector.ConnectAsync(context.Cancellation).GetAwaiter().GetResult().Api;
        var missing = context.Settings.PullSecretNamespaces
            .Where(ns => ns != context.Settings.Namespace)
            .Where(ns => api.ReadAsync(ResourceAddress.For<k8s.Models.V1Namespace>(null, ns), context.Cancellation).GetAwaiter().GetResult() is null)
            .ToList();
        if (missing.Count > 0)
        {
            throw Refused(context.Settings, "pull-secret-namespaces",
                $"names {(missing.Count == 1 ? "a namespace" : "namespaces")} the cluster does not have ({string.Join(", ", missing)}); expected existing namespaces: " +
                "the pipeline gives them a pull secret but never creates them");
        }
    }

    /// <summary>A setting the cluster shows cannot work, found before anything is written: the run stops as validation does (exit 2).</summary>
    private static CakeException Refused(RegistrySettings settings, string setting, string expected)
    {
        var origin = settings.Origins.GetValueOrDefault(setting);
        return new CakeException(
            RunOutcome.UsageErrorExitCode,
            "The settings have 1 problem; nothing was run:" + Environment.NewLine + "  " +
            new SettingProblem(setting, origin?.Text ?? SettingDefinition.Find(setting)!.TextIn(settings), origin?.Source, expected));
    }

    private void CheckGateway(BuildContext context)
    {
        var settings = context.Settings;
        var api = connector.ConnectAsync(context.Cancellation).GetAwaiter().GetResult().Api;
        void Refuse(string setting, string expected) => throw Refused(settings, setting, expected);

        // The policies that lift each implementation's limits only work on that implementation: the class must be its.
        void CheckServedBy(System.Text.Json.Nodes.JsonObject? gatewayClass, string what)
        {
            var controller = gatewayClass?["spec"]?["controllerName"]?.GetValue<string>();
            if (settings.GatewayController != GatewayController.Existing && controller is not null && controller != Prerequisites.Charts.GatewayControllerNames[settings.GatewayController])
            {
                var actual = Prerequisites.Charts.GatewayControllerNames.FirstOrDefault(pair => pair.Value == controller).Key;
                Refuse("gateway-controller",
                    $"says which implementation's upload settings the registry gets, but {what} is served by {controller}; expected " +
                    (Prerequisites.Charts.GatewayControllerNames.Values.Contains(controller) ? SettingDefinition.KebabName(actual) : "existing (an implementation the pipeline has no settings for: no policy is written)"));
            }
        }

        if (settings.SharesGateway)
        {
            var shared = api.ReadAsync(ResourceAddress.For<Kubernetes.GatewayApi.Gateway>(settings.GatewayNamespace, settings.GatewayName), context.Cancellation).GetAwaiter().GetResult();
            if (shared is null)
            {
                Refuse("gateway-namespace", $"has no Gateway {settings.GatewayName} (or the cluster does not serve the Gateway API); expected the namespace of an existing shared Gateway, to which only the registry's HTTPRoute is added");
            }

            var sharedClass = shared!["spec"]?["gatewayClassName"]?.GetValue<string>() ?? string.Empty;
            CheckServedBy(api.ReadAsync(Prerequisites.GatewayApiCrds.GatewayClass(sharedClass), context.Cancellation).GetAwaiter().GetResult(),
                $"the shared Gateway {settings.GatewayNamespace}/{settings.GatewayName} (GatewayClass {sharedClass})");
            CheckCertManagerForAcme(context);
            var listeners = string.Join(", ", (shared["spec"]?["listeners"] as System.Text.Json.Nodes.JsonArray ?? []).Select(listener =>
                $"listener {listener?["name"]} ({listener?["protocol"]} {listener?["port"]}, hostname {listener?["hostname"]?.GetValue<string>() ?? "any"}, " +
                $"routes from {listener?["allowedRoutes"]?["namespaces"]?["from"]?.GetValue<string>() ?? "Same"})"));
            if (!Admits(shared, settings, protocol: null))
            {
                Refuse("gateway-name",
                    $"names the shared Gateway {settings.GatewayNamespace}/{settings.GatewayName}, none of whose listeners admits a route for {settings.Host} from namespace {settings.Namespace} " +
                    $"({listeners}); expected its owner to let one listener for that host admit routes from there (spec.listeners[].allowedRoutes.namespaces.from: All, or a Selector matching the namespace)");
            }

            if (settings.UsesAcme && !Admits(shared, settings, protocol: "HTTP"))
            {
                Refuse("tls",
                    $"is {SettingDefinition.KebabName(settings.Tls)}, whose http01 challenge comes in on plain HTTP, but no listener of the shared Gateway {settings.GatewayNamespace}/{settings.GatewayName} " +
                    $"takes HTTP for {settings.Host} from routes in namespace {settings.Namespace} ({listeners}); " +
                    "expected its owner to add such a listener, or tls=existing-secret with a certificate from the Gateway's owner");
            }

            return;
        }

        CheckCertManagerForAcme(context);

        // NGINX Gateway Fabric puts each Gateway behind a LoadBalancer Service, which kind and minikube never give an
        // address: the Gateway would never be programmed there (Envoy's is published on the node's ports instead).
        if (context.Distribution is { } local && (local.IsKind || local.IsMinikube) && settings.GatewayController == GatewayController.NginxFabric)
        {
            Refuse("gateway-controller",
                $"is nginx-fabric, whose Gateways need a load balancer, which {local.Name} has none of (publishing them on the node's ports is not done yet); expected envoy or traefik, or exposure=ingress");
        }

        // A controller the pipeline installs (the GatewayController step) brings its class; an existing one must be there.
        if (settings.GatewayController != GatewayController.Existing)
        {
            CheckServedBy(api.ReadAsync(Prerequisites.GatewayApiCrds.GatewayClass(settings.GatewayClassName), context.Cancellation).GetAwaiter().GetResult(),
                $"GatewayClass {settings.GatewayClassName}");
            return;
        }

        var name = settings.GatewayClassName;
        const string installed = "with gateway-controller=existing the cluster must have it; or set gateway-controller to envoy, traefik or nginx-fabric to let the pipeline install one";
        var gatewayClass = api.ReadAsync(Prerequisites.GatewayApiCrds.GatewayClass(name), context.Cancellation).GetAwaiter().GetResult();
        if (gatewayClass is null)
        {
            Refuse("gateway-class", $"names GatewayClass {name}, which the cluster does not have (or it does not serve the Gateway API CRDs); {installed}");
        }

        var accepted = (gatewayClass!["status"]?["conditions"] as System.Text.Json.Nodes.JsonArray ?? []).FirstOrDefault(condition => condition?["type"]?.GetValue<string>() == "Accepted");
        if (accepted?["status"]?.GetValue<string>() != "True")
        {
            Refuse("gateway-class",
                $"names GatewayClass {name}, which must be accepted by its controller ({gatewayClass["spec"]?["controllerName"]}), but it is not" +
                (accepted is null ? " (no Accepted condition: is the controller running?)" : $": {accepted["reason"]}: {accepted["message"]}"));
        }
    }

    // ACME through the Gateway needs cert-manager's Gateway API support; someone else's cert-manager is theirs to change.
    private void CheckCertManagerForAcme(BuildContext context)
    {
        var settings = context.Settings;
        if (!settings.UsesAcme)
        {
            return;
        }

        var state = new Prerequisites.ClusterPrerequisites(connector).CertManagerAsync(context.Cancellation).GetAwaiter().GetResult();
        if (state.Controller is not { } controller || state.GatewayApi
            || new Prerequisites.InstalledCharts(connector).OwnsAsync(settings, Prerequisites.Charts.CertManager(settings), context.Cancellation).GetAwaiter().GetResult())
        {
            return;
        }

        throw Refused(settings, "tls",
            $"is {SettingDefinition.KebabName(settings.Tls)}, whose http01 challenge through the Gateway needs cert-manager's Gateway API support, and the cert-manager in " +
            $"{controller.Namespace} runs without it; this pipeline did not install it, so it does not change it. Expected its owner to turn it on " +
            $"(helm upgrade <release> oci://quay.io/jetstack/charts/cert-manager -n {controller.Namespace} --reuse-values --set config.gatewayAPI.enabled=true, then " +
            $"kubectl -n {controller.Namespace} rollout restart deployment {controller.Name}), or tls=existing-secret");
    }

    // Whether a listener of the shared Gateway (of that protocol, if given) takes a route for host from the registry's
    // namespace, as its controller will judge it (a label selector is taken on trust: the route's status says).
    private static bool Admits(System.Text.Json.Nodes.JsonObject gateway, RegistrySettings settings, string? protocol) =>
        (gateway["spec"]?["listeners"] as System.Text.Json.Nodes.JsonArray ?? []).OfType<System.Text.Json.Nodes.JsonObject>().Any(listener =>
            (protocol is null || listener["protocol"]?.GetValue<string>() == protocol)
            && (listener["hostname"]?.GetValue<string>() is not { } hostname || hostname == settings.Host
                || (hostname.StartsWith("*.", StringComparison.Ordinal) && settings.Host!.EndsWith(hostname[1..], StringComparison.Ordinal)))
            && (listener["allowedRoutes"]?["namespaces"]?["from"]?.GetValue<string>() ?? "Same") is "All" or "Selector");

    private void CheckNodeRuntimes(BuildContext context)
    {
        var api = connector.ConnectAsync(context.Cancellation).GetAwaiter().GetResult().Api;
        var nodes = api.ReadListAsync(ResourceAddress.For<k8s.Models.V1Node>(null), null, context.Cancellation).GetAwaiter().GetResult();
        var others = (nodes["items"] as System.Text.Json.Nodes.JsonArray ?? [])
            .Select(node => (Name: node?["metadata"]?["name"]?.GetValue<string>(), Runtime: node?["status"]?["nodeInfo"]?["containerRuntimeVersion"]?.GetValue<string>()))
            // k3s and RKE2 run their own containerd, configured from registries.yaml, which rewrites its certs.d.
            .Where(node => node.Runtime is { Length: > 0 } runtime && (!runtime.StartsWith("containerd://", StringComparison.Ordinal) || runtime.Contains("k3s", StringComparison.Ordinal) || runtime.Contains("rke2", StringComparison.Ordinal)))
            .ToList();
        if (others.Count > 0)
        {
            var host = context.Settings.Host;
            throw Refused(context.Settings, "trust-ca-on-nodes",
                $"needs nodes whose container runtime is containerd reading /etc/containerd/certs.d, but {string.Join(", ", others.Select(node => $"{node.Name} runs {node.Runtime}"))}; " +
                $"expected false there, with the CA installed the runtime's way: Docker /etc/docker/certs.d/{host}/ca.crt, CRI-O /etc/containers/certs.d/{host}/ca.crt, " +
                $"k3s and RKE2 registries.yaml (configs.\"{host}\".tls.ca_file)");
        }
    }

    // What a local cluster already has decides what it needs (Traefik on k3s): said in the log, overridable by any setting.
    private void DetectLocalDistribution(BuildContext context)
    {
        if (distributions.DetectAsync(context.Settings.IngressClass, context.Cancellation).GetAwaiter().GetResult() is not { } distribution)
        {
            return;
        }

        var chosen = distribution.Apply(context.Settings);
        if (chosen.Host != context.Settings.Host && ServedHost(context) is { } served && served == context.Settings.Host)
        {
            // An earlier run serves the registry there already (and clients trust it there): a default never moves it.
            context.Information($"The registry is served as {served} already, so that host is kept; set --host={chosen.Host} to serve it on {distribution.Name}'s node address instead.");
            chosen = chosen with { Host = context.Settings.Host, Origins = new Dictionary<string, SettingOrigin>(chosen.Origins) { ["host"] = context.Settings.Origins["host"] } };
        }

        var host = chosen.Host != context.Settings.Host ? $", host {chosen.Host}, the node's address, as localhost does not reach {distribution.Name}'s ingress" : string.Empty;
        var detected = $"Detected {distribution.Name}: {distribution.Why}; using ingress-class {chosen.IngressClass}{(host.Length > 0 ? "," : " and")} ingress-controller " +
            SettingDefinition.KebabName(chosen.IngressController) + host + (chosen == context.Settings ? "." : " (set them to choose otherwise).");
        context.Information(detected);
        if (distribution is { IngressClass: { } shipped, Controller: IngressController.Existing } && chosen.IngressClass == shipped)
        {
            // Its Traefik is k3s's, configured by k3s: the pipeline does not change it, but says what large pushes need.
            context.Warning(
                $"{distribution.Name}'s Traefik ends a request after 60s (its readTimeout), which cuts pushes of large layers. To raise it, apply in kube-system " +
                "a HelmChartConfig named traefik (helm.cattle.io/v1) whose valuesContent sets ports.websecure.transport.respondingTimeouts.readTimeout: 600s.");
        }

        context.Choose(distribution, chosen);
    }

    /// <summary>
    /// Traefik is the default for a cluster without a controller; a cluster whose class nginx ingress-nginx serves (the
    /// guide's controller, which earlier runs installed by default) keeps it, so a registry served there does not move.
    /// </summary>
    private void KeepInstalledIngressNginx(BuildContext context)
    {
        var settings = context.Settings;
        if (settings.Exposure != Settings.Exposure.Ingress || settings.Origins.ContainsKey("ingress-class") || settings.Origins.ContainsKey("ingress-controller"))
        {
            return;
        }

        var api = connector.ConnectAsync(context.Cancellation).GetAwaiter().GetResult().Api;
        var nginx = api.ReadAsync(ResourceAddress.For<k8s.Models.V1IngressClass>(null, "nginx"), context.Cancellation).GetAwaiter().GetResult();
        if (nginx?["spec"]?["controller"]?.GetValue<string>() != Prerequisites.IngressControllerState.IngressNginxController)
        {
            return;
        }

        var source = new SettingSource("kept: ingress-nginx serves class nginx on this cluster");
        context.Keep(settings with
        {
            IngressClass = "nginx",
            IngressController = Settings.IngressController.Nginx,
            Origins = new Dictionary<string, SettingOrigin>(settings.Origins)
            {
                ["ingress-class"] = new SettingOrigin("nginx", source),
                ["ingress-controller"] = new SettingOrigin("nginx", source),
            },
        });
        context.Warning(
            "ingress-nginx serves class nginx on this cluster, so the registry keeps using it; it was retired in March 2026 (no fixes since). " +
            "To move: --ingress-controller=traefik (another controller, class traefik) or --exposure=gateway; the README's 'Migrating from ingress-nginx' says how.");
    }

    // Before anything could print them: the CI then hides them wherever they would appear.
    private static void MaskSecrets(BuildContext context)
    {
        CiLog.Mask(context, context.Settings.Password);
        // The upstream user name is no secret, and masking a short one would blank it out wherever it appears.
        foreach (var (_, key) in context.Settings.StoreSecrets.Given.Where(given => given.Name != "proxy-username"))
        {
            CiLog.Mask(context, key);
        }

        foreach (var user in context.Settings.Users ?? [])
        {
            CiLog.Mask(context, user.Password);
        }
    }

    // Targets that read the cluster without changing it.
    private static readonly HashSet<string> ReadingTasks = [TaskNames.Of(typeof(PlanTask)), TaskNames.Of(typeof(StatusTask))];

    private static readonly HashSet<string> WritingTasks = typeof(BuildLifetime).Assembly.GetTypes()
        .Where(type => type.GetCustomAttributes(typeof(WritesToClusterAttribute), false).Length > 0)
        .Select(TaskNames.Of)
        .ToHashSet();

    public override void Teardown(BuildContext context, ITeardownContext info)
    {
        if (scope.IsDryRun)
        {
            return;
        }

        CiLog.Summary(
            context,
            summary.Markdown($"Registry pipeline: {target} {(info.Successful ? "succeeded" : "failed")}", context.Settings.RegistryAddress?.ToString()),
            context.Settings.Artifacts);

        try
        {
            runLock.DisposeAsync().AsTask().GetAwaiter().GetResult();
        }
        catch (Exception exception)
        {
            // The lease expires by itself; the run's own outcome matters more.
            var failed = $"Releasing the run lock failed ({exception.Message}); it expires within {RunLock.Duration.TotalSeconds:0}s.";
            context.Warning(failed);
        }

        // Only a run that reached the cluster has anything to look at there.
        if (info.Successful || connector.Connected is not { } cluster)
        {
            return;
        }

        var folder = context.Settings.Artifacts.Combine("diagnostics").FullPath;
        try
        {
            using var timeout = new CancellationTokenSource(DiagnosticsTimeout);
            var findings = ClusterDiagnostics.CollectAsync(cluster.Api, context.Settings, folder, timeout.Token).GetAwaiter().GetResult();
            var heading = $"What the cluster says (details in {folder}):";
            context.Warning(heading);
            foreach (var line in findings.DefaultIfEmpty("nothing unusual in namespace " + context.Settings.Namespace))
            {
                context.Warning("  " + line);
            }
        }
        catch (Exception exception)
        {
            // Diagnostics must never hide the failure they are about.
            var failed = $"Collecting diagnostics failed too: {exception.Message}";
            context.Warning(failed);
        }
    }
}
