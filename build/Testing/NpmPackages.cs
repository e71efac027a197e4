using Cake.Common;
using Cake.Common.Diagnostics;
using Cake.Core;
using Cake.Core.IO;
using Registry.Build.Workspace;

namespace Registry.Build.Testing;

/// <summary>npm packages the tests run (the GitHub workflow validator), installed into .build/npm beside the sources.</summary>
public sealed class NpmPackages
{
    public static DirectoryPath Prefix => SourceTree.Root.Combine(".build/npm");

    /// <returns>True when the package's command is there afterwards.</returns>
    public bool EnsureInstalled(ICakeContext context, string package, string command)
    {
        var binary = Prefix.Combine("node_modules/.bin").CombineWithFilePath(command);
        if (context.FileSystem.Exist(binary))
        {
            return true;
        }

        if (context.Tools.Resolve("npm") is not { } npm)
        {
            context.Warning($"npm is not installed, so {package} cannot be; the tests that need it will fail and say so.");
            return false;
        }

        context.Information($"Installing {package} with npm (the workflow tests run it)...");
        var exitCode = context.StartProcess(npm, new ProcessSettings
        {
            Arguments = new ProcessArgumentBuilder().Append("install").Append("--prefix").AppendQuoted(Prefix.FullPath)
                .Append("--no-audit").Append("--no-fund").Append("--no-save").Append(package),
        });
        if (exitCode != 0)
        {
            throw new CakeException($"'npm install {package}' failed with exit code {exitCode}.");
        }

        return context.FileSystem.Exist(binary);
    }
}
