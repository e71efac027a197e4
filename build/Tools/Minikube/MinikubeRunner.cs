using Cake.Core;
using Cake.Core.IO;
using Cake.Core.Tooling;

namespace Registry.Build.Tools.Minikube;

/// <summary>The minikube command line, for the guide's <c>minikube addons enable ingress</c>.</summary>
public sealed class MinikubeRunner(IFileSystem fileSystem, ICakeEnvironment environment, IProcessRunner processRunner, IToolLocator tools)
    : Tool<ToolSettings>(fileSystem, environment, processRunner, tools)
{
    /// <returns>False when minikube is not installed.</returns>
    public bool EnableAddon(string addon, string profile)
    {
        if (GetToolPath(new ToolSettings()) is null)
        {
            return false;
        }

        Run(new ToolSettings(), new ProcessArgumentBuilder().Append("addons").Append("enable").Append(addon).Append("--profile").AppendQuoted(profile));
        return true;
    }

    protected override string GetToolName() => "minikube";

    protected override IEnumerable<string> GetToolExecutableNames() => ["minikube", "minikube.exe"];
}
