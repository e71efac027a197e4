using System.Text.RegularExpressions;
using Cake.Core;
using Cake.Core.IO;
using Cake.Core.Tooling;

namespace Registry.Build.Tools.Kind;

/// <summary>The kind command line: its version, the clusters it has, and <c>kind create cluster</c>.</summary>
public sealed partial class KindRunner(IFileSystem fileSystem, ICakeEnvironment environment, IProcessRunner processRunner, IToolLocator tools)
    : Tool<ToolSettings>(fileSystem, environment, processRunner, tools)
{
    public bool IsInstalled => GetToolPath(new ToolSettings()) is not null;

    /// <summary>The version <c>kind version</c> reports (<c>kind v0.32.0 go1.24 linux/amd64</c>), or null when it says nothing recognisable.</summary>
    public Version? Version()
    {
        var output = Output(new ProcessArgumentBuilder().Append("version"));
        return VersionPattern().Match(output) is { Success: true } match ? new Version(match.Groups[1].Value) : null;
    }

    /// <summary>The names of the kind clusters on this machine.</summary>
    public IReadOnlyList<string> Clusters() =>
        Output(new ProcessArgumentBuilder().Append("get").Append("clusters"))
            .Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            // "No kind clusters found." goes to stderr, but older versions print it to stdout.
            .Where(line => !line.StartsWith("No kind clusters", StringComparison.Ordinal))
            .ToList();

    /// <param name="kubeconfig">The kubeconfig kind writes the cluster's context into; null: kind's own choice ($KUBECONFIG, else ~/.kube/config).</param>
    public void Create(string name, FilePath config, FilePath? kubeconfig, TimeSpan wait)
    {
        var arguments = new ProcessArgumentBuilder()
            .Append("create").Append("cluster").Append("--name").Append(name)
            .Append("--config").AppendQuoted(config.FullPath)
            .Append("--wait").Append($"{(int)wait.TotalSeconds}s");
        if (kubeconfig is not null)
        {
            arguments.Append("--kubeconfig").AppendQuoted(kubeconfig.FullPath);
        }

        Run(new ToolSettings(), arguments);
    }

    /// <summary><c>kind export kubeconfig</c>: puts the cluster's context (back) into the kubeconfig.</summary>
    public void ExportKubeconfig(string name, FilePath? kubeconfig)
    {
        var arguments = new ProcessArgumentBuilder().Append("export").Append("kubeconfig").Append("--name").Append(name);
        if (kubeconfig is not null)
        {
            arguments.Append("--kubeconfig").AppendQuoted(kubeconfig.FullPath);
        }

        Run(new ToolSettings(), arguments);
    }

    protected override string GetToolName() => "kind";

    protected override IEnumerable<string> GetToolExecutableNames() => ["kind", "kind.exe"];

    private string Output(ProcessArgumentBuilder arguments)
    {
        var output = string.Empty;
        Run(new ToolSettings(), arguments, new ProcessSettings { RedirectStandardOutput = true, RedirectStandardError = true },
            process => output = string.Join('\n', process.GetStandardOutput()));
        return output;
    }

    [GeneratedRegex(@"v(\d+\.\d+\.\d+)")]
    private static partial Regex VersionPattern();
}
