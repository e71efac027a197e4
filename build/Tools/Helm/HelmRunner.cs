using Cake.Core;
using Cake.Core.IO;
using Cake.Core.Tooling;

namespace Registry.Build.Tools.Helm;

/// <summary>
/// The helm command line as a typed Cake tool: arguments built, not concatenated; values marked secret are
/// redacted when Cake logs the command; a non-zero exit code fails the step.
/// </summary>
public sealed class HelmRunner(IFileSystem fileSystem, ICakeEnvironment environment, IProcessRunner processRunner, IToolLocator tools)
    : Tool<HelmSettings>(fileSystem, environment, processRunner, tools)
{
    /// <summary>The version a helm executable reports, or null when it does not run or says nothing recognisable.</summary>
    public Version? Version(FilePath helm)
    {
        string output = string.Empty;
        try
        {
            Run(
                new HelmSettings { ToolPath = helm },
                new ProcessArgumentBuilder().Append("version").Append("--short"),
                new ProcessSettings { RedirectStandardOutput = true, RedirectStandardError = true },
                process => output = string.Join('\n', process.GetStandardOutput().Concat(process.GetStandardError())));
        }
        catch (CakeException)
        {
            // Helm 2 exits non-zero when Tiller is missing but still printed the client's version.
        }

        return HelmClient.ParseVersion(output);
    }

    /// <summary><c>helm upgrade --install</c>, waiting for the release and rolling it back if it fails, where helm can wait without hanging.</summary>
    public void UpgradeInstall(HelmClient helm, HelmSettings settings, HelmRelease release, TimeSpan timeout)
    {
        var arguments = new ProcessArgumentBuilder()
            .Append("upgrade").Append("--install")
            .Append(release.Name).Append(release.Chart);
        if (release.Repository is { } repository)
        {
            arguments.Append("--repo").Append(repository);
        }

        arguments
            .Append("--version").Append(release.Version)
            .Append("--namespace").Append(release.Namespace)
            .Append("--create-namespace");
        if (helm.Major >= 4)
        {
            // Helm 4's watcher (kstatus) counts a LoadBalancer Service ready once it has a cluster IP; --atomic is renamed.
            arguments.Append("--wait=watcher").Append("--timeout").Append($"{(int)timeout.TotalSeconds}s").Append("--rollback-on-failure");
        }
        else if (!release.HasLoadBalancerService)
        {
            arguments.Append("--wait").Append("--timeout").Append($"{(int)timeout.TotalSeconds}s").Append("--atomic");
        }
        else
        {
            // Helm 3 would wait for an external address that may never come (and --atomic implies that wait).
            arguments.Append("--timeout").Append($"{(int)timeout.TotalSeconds}s");
        }

        foreach (var (name, value) in release.Values.OrderBy(value => value.Key, StringComparer.Ordinal))
        {
            arguments.Append("--set").Append($"{name}={value}");
        }

        RunWithCluster(helm, settings, arguments);
    }

    /// <summary><c>helm uninstall NAME --namespace NS --wait</c>.</summary>
    public void Uninstall(HelmClient helm, HelmSettings settings, string release, string ns) =>
        RunWithCluster(helm, settings, new ProcessArgumentBuilder().Append("uninstall").Append(release).Append("--namespace").Append(ns).Append("--wait"));

    protected override string GetToolName() => "Helm";

    protected override IEnumerable<string> GetToolExecutableNames() => ["helm", "helm.exe"];

    private void RunWithCluster(HelmClient helm, HelmSettings settings, ProcessArgumentBuilder arguments)
    {
        if (settings.Kubeconfig is { } kubeconfig)
        {
            arguments.Append("--kubeconfig").AppendQuoted(kubeconfig);
        }

        if (settings.KubeContext is { } context)
        {
            arguments.Append("--kube-context").AppendQuoted(context);
        }

        settings.ToolPath = helm.Path;
        Run(settings, arguments);
    }
}
