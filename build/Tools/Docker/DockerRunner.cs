using Cake.Core;
using Cake.Core.IO;
using Cake.Core.Tooling;
using Registry.Build.Registry;

namespace Registry.Build.Tools.Docker;

/// <summary>
/// The docker command line for the guide's last step (login, pull, tag, push). The password goes in on
/// standard input, never in the arguments, so neither a log nor a process list can show it.
/// </summary>
public sealed class DockerRunner(IFileSystem fileSystem, ICakeEnvironment environment, IProcessRunner processRunner, IToolLocator tools)
    : Tool<ToolSettings>(fileSystem, environment, processRunner, tools)
{
    public bool IsInstalled => GetToolPath(new ToolSettings()) is not null;

    /// <summary>Whether the Docker engine answers (<c>docker info</c> succeeds, within half a minute: a starting Docker Desktop can hang on it).</summary>
    public bool IsRunning()
    {
        var settings = new ToolSettings { HandleExitCode = _ => true, ToolTimeout = TimeSpan.FromSeconds(30) };
        var exitCode = 0;
        try
        {
            Run(settings, new ProcessArgumentBuilder().Append("info"), new ProcessSettings { RedirectStandardOutput = true, RedirectStandardError = true },
                process => exitCode = process.GetExitCode());
        }
        catch (TimeoutException)
        {
            return false;
        }

        return exitCode == 0;
    }

    public void Login(string registry, Credential login) => Run(
        new ToolSettings(),
        new ProcessArgumentBuilder().Append("login").Append(registry).Append("--username").AppendQuoted(login.User).Append("--password-stdin"),
        new ProcessSettings { StandardInput = login.Password.Reveal() + "\n" },
        null);

    public void Pull(string image) => Run(new ToolSettings(), new ProcessArgumentBuilder().Append("pull").Append(image));

    public void Tag(string source, string target) => Run(new ToolSettings(), new ProcessArgumentBuilder().Append("tag").Append(source).Append(target));

    public void Push(string image) => Run(new ToolSettings(), new ProcessArgumentBuilder().Append("push").Append(image));

    protected override string GetToolName() => "docker";

    protected override IEnumerable<string> GetToolExecutableNames() => ["docker", "docker.exe"];
}
