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
[TaskDescription("Install what the tests need (the real Debian docker-registry, the workflow validator), then run every test.")]
public sealed class TestTask(DebianPackages packages, NpmPackages npm) : FrostingTask<BuildContext>
{
    public override void Run(BuildContext context)
    {
        packages.EnsureInstalled(context, "docker-registry", new FilePath("/usr/bin/docker-registry"));
        npm.EnsureInstalled(context, "@action-validator/cli@0.6.0", "action-validator");

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
}
