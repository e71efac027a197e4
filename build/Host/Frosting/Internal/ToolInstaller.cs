using System.Globalization;
using Cake.Core;
using Cake.Core.Configuration;
using Cake.Core.Diagnostics;
using Cake.Core.Packaging;
using Cake.Core.Tooling;

namespace Cake.Frosting.Internal;

/// <summary>Installs a tool into the configured tool path and makes its files known to Cake's tool locator.</summary>
internal sealed class ToolInstaller(
    ICakeEnvironment environment, IToolLocator locator, ICakeConfiguration configuration, ICakeLog log, IEnumerable<IPackageInstaller> installers)
    : IToolInstaller
{
    public void Install(PackageReference tool)
    {
        var root = configuration.GetToolPath(".", environment);
        var installer = installers.FirstOrDefault(candidate => candidate.CanInstall(tool, PackageType.Tool))
            ?? throw new FrostingException(string.Format(CultureInfo.InvariantCulture, "Could not find an installer for the '{0}' scheme.", tool.Scheme));
        log.Debug("Installing tool '{0}'...", tool.Package);
        var files = installer.Install(tool, PackageType.Tool, root);
        if (files.Count == 0)
        {
            throw new FrostingException(string.Format(CultureInfo.InvariantCulture, "Failed to install tool '{0}'.", tool.Package));
        }

        foreach (var file in files)
        {
            locator.RegisterFile(file.Path);
        }
    }
}
