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
        if (settings.Replicas > 1 && settings.StorageAccessMode != "ReadWriteMany")
        {
            Check("replicas", false,
                $"needs storage every replica can share, but storage-access-mode is {settings.StorageAccessMode}; expected replicas 1, or storage-access-mode ReadWriteMany with a storage-class that offers it");
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
}
