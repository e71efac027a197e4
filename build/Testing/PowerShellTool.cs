using Cake.Common;
using Cake.Common.Diagnostics;
using Cake.Core;
using Cake.Core.IO;
using Registry.Build.Workspace;

namespace Registry.Build.Testing;

/// <summary>
/// PowerShell 7, the dotnet tool, in .build/pwsh: the tests run build.ps1 with it as a Windows user's shell would.
/// </summary>
public sealed class PowerShellTool
{
    // Checked 2026-12-02: the release build.ps1 was first tried with; the feed serves it as a dotnet tool.
    public const string Version = "7.6.9";

    public static DirectoryPath Directory => SourceTree.Root.Combine(".build/pwsh");

    public static FilePath Executable => Directory.CombineWithFilePath(OperatingSystem.IsWindows() ? "pwsh.exe" : "pwsh");

    /// <returns>True when pwsh is there afterwards.</returns>
    public bool EnsureInstalled(ICakeContext context)
    {
        if (context.FileSystem.Exist(Executable))
        {
            return true;
        }

        context.Information($"Installing PowerShell {Version} as a dotnet tool (the build.ps1 tests run it)...");
        var exitCode = context.StartProcess("dotnet", new ProcessSettings
        {
            Arguments = new ProcessArgumentBuilder()
                .Append("tool").Append("install").Append("--tool-path").AppendQuoted(Directory.FullPath).Append("PowerShell").Append("--version").Append(Version),
        });
        if (exitCode != 0)
        {
            context.Warning($"'dotnet tool install PowerShell --version {Version}' failed with exit code {exitCode}; the build.ps1 tests will fail and say so.");
        }

        return context.FileSystem.Exist(Executable);
    }
}
