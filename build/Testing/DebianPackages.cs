using Cake.Common;
using Cake.Common.Diagnostics;
using Cake.Core;
using Cake.Core.IO;

namespace Registry.Build.Testing;

/// <summary>Installs a Debian package the tests need when it is missing and the runner may install it.</summary>
public sealed class DebianPackages
{
    /// <returns>True when <paramref name="command"/> is there afterwards.</returns>
    public bool EnsureInstalled(ICakeContext context, string package, FilePath command)
    {
        if (context.FileSystem.Exist(command))
        {
            context.Verbose($"{package}: {command} is installed.");
            return true;
        }

        if (!OperatingSystem.IsLinux() || !Environment.IsPrivilegedProcess || !context.FileSystem.Exist(new FilePath("/usr/bin/apt-get")))
        {
            context.Warning(
                $"{package} is not installed ({command} is missing) and this runner cannot install it: " +
                $"run 'sudo apt-get install {package}'. The tests that need it will fail and say so.");
            return false;
        }

        context.Information($"Installing {package} with apt-get (the tests run it for real)...");
        var environment = new Dictionary<string, string> { ["DEBIAN_FRONTEND"] = "noninteractive" };
        Run(context, "update -qq", environment);
        Run(context, $"install -y -qq --no-install-recommends {package}", environment);
        return context.FileSystem.Exist(command);
    }

    private static void Run(ICakeContext context, string arguments, Dictionary<string, string> environment)
    {
        var exitCode = context.StartProcess("apt-get", new ProcessSettings
        {
            Arguments = arguments,
            EnvironmentVariables = environment,
        });
        if (exitCode != 0)
        {
            throw new CakeException($"'apt-get {arguments}' failed with exit code {exitCode}.");
        }
    }
}
