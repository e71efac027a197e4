using Cake.Core;
using Cake.Core.IO;
using Cake.Core.Tooling;

namespace Registry.Build.Tools.Skopeo;

/// <summary><c>skopeo copy</c>, the yardstick the push benchmark measures the smoke test's client against.</summary>
public sealed class SkopeoRunner(IFileSystem fileSystem, ICakeEnvironment environment, IProcessRunner processRunner, IToolLocator tools)
    : Tool<ToolSettings>(fileSystem, environment, processRunner, tools)
{
    public bool IsInstalled => GetToolPath(new ToolSettings()) is not null;

    /// <param name="authFile">A registry auth file (credentials never go on the command line).</param>
    public void Copy(string source, string destination, string authFile, bool verifyTls) => Run(
        new ToolSettings(),
        new ProcessArgumentBuilder()
            .Append("copy").Append("--quiet")
            .Append("--dest-authfile").AppendQuoted(authFile)
            .Append($"--dest-tls-verify={(verifyTls ? "true" : "false")}")
            .Append(source).Append(destination));

    protected override string GetToolName() => "skopeo";

    protected override IEnumerable<string> GetToolExecutableNames() => ["skopeo"];
}
