using Cake.Core;
using Cake.Core.Diagnostics;
using Cake.Core.IO;
using Cake.Core.Tooling;
using Registry.Build.Settings;

namespace Registry.Build.Tools.Helm;

/// <summary>
/// The helm this run uses: one on PATH, else one in tools/, when it is recent enough; else the pinned release,
/// downloaded and verified. A Helm 2 client is just too old: no chart supported today installs with it.
/// </summary>
public sealed class HelmLocator(IToolLocator tools, HelmRunner runner, HelmDownload download, ICakeLog log)
{
    public async Task<HelmClient> FindOrInstallAsync(RegistrySettings settings, DirectoryPath toolsDirectory, CancellationToken cancellationToken)
    {
        var candidates = new List<(FilePath Path, string Origin)>();
        if (tools.Resolve("helm") is { } onPath)
        {
            candidates.Add((onPath, "on PATH"));
        }

        var executable = OperatingSystem.IsWindows() ? "helm.exe" : "helm";
        var inTools = toolsDirectory.Combine($"helm-{settings.HelmVersion}").CombineWithFilePath(executable);
        if (File.Exists(inTools.FullPath))
        {
            candidates.Add((inTools, "in tools/"));
        }

        foreach (var (path, origin) in candidates)
        {
            if (runner.Version(path) is not { } version)
            {
                log.Warning($"{path.FullPath} ({origin}) does not report a Helm version; not using it.");
                continue;
            }

            var client = new HelmClient(path, version, origin);
            if (version >= HelmClient.Minimum)
            {
                log.Information($"Using {client}.");
                return client;
            }

            log.Warning($"{client} is older than {HelmClient.Minimum} (needed for OCI charts); using the pinned {settings.HelmVersion} instead.");
        }

        var installed = await download.InstallAsync(settings.HelmVersion, new Uri(settings.HelmDownloadUrl.TrimEnd('/') + "/"), toolsDirectory, cancellationToken);
        var installedVersion = runner.Version(installed)
            ?? throw new CakeException($"The downloaded {installed.FullPath} does not run or report its version.");
        var downloaded = new HelmClient(installed, installedVersion, "downloaded");
        log.Information($"Using {downloaded}.");
        return downloaded;
    }
}
