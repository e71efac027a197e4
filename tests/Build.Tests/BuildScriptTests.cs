using Registry.Build.Testing;
using Registry.Build.Tests.Fixtures;
using Registry.Build.Workspace;

namespace Registry.Build.Tests;

/// <summary>build.sh, run on a copy of the pipeline's sources so that a test may change them.</summary>
public sealed class BuildScriptTests : IClassFixture<BuildScriptTests.SourceCopy>
{
    private const string Rebuilding = "building the pipeline";
    private readonly SourceCopy copy;

    public BuildScriptTests(SourceCopy copy)
    {
        this.copy = copy;
    }

    [Fact]
    public async Task Runs_from_any_working_directory_passes_every_argument_and_returns_the_pipelines_exit_code()
    {
        using var elsewhere = new TemporaryDirectory();

        var run = await copy.BuildScript(elsewhere.Path, "--target=Validate", "--host", "bad_host!");

        Assert.Equal(2, run.ExitCode);
        Assert.Contains("host: 'bad_host!' (from the command line) is not a valid DNS name", run.Error);
    }

    [Fact]
    public async Task Output_that_is_redirected_has_no_colour_codes()
    {
        // A colour terminal type, as a developer's shell exports it: Cake's own console would colour for it.
        var run = await Command.Run(
            "/bin/bash",
            [System.IO.Path.Combine(copy.Path, "build.sh"), "--target=Validate", "--host=registry.example.com"],
            copy.Path,
            new Dictionary<string, string?> { ["TERM"] = "xterm-256color", ["GITHUB_ACTIONS"] = null, ["TF_BUILD"] = null, ["NO_COLOR"] = null });

        Assert.Equal(0, run.ExitCode);
        Assert.Contains("registry.example.com", run.Output);
        Assert.DoesNotContain("\u001b[", run.Output + run.Error);
    }

    [Fact]
    public async Task A_warm_start_runs_the_existing_build()
    {
        await copy.BuildScript(copy.Path, "--version");

        var warm = await copy.BuildScript(copy.Path, "--version");

        Assert.Equal(0, warm.ExitCode);
        Assert.DoesNotContain(Rebuilding, warm.Error);
    }

    [Fact]
    public async Task A_changed_project_is_rebuilt_before_it_runs()
    {
        await copy.BuildScript(copy.Path, "--version");
        var project = System.IO.Path.Combine(copy.Path, "build", "Build.csproj");
        var original = await File.ReadAllTextAsync(project);
        try
        {
            await File.WriteAllTextAsync(project, original.Replace("<Version>0.1.0</Version>", "<Version>9.8.7</Version>"));

            var run = await copy.BuildScript(copy.Path, "--version");

            Assert.Contains(Rebuilding, run.Error);
            Assert.Equal("9.8.7", run.Output.Trim());
        }
        finally
        {
            await File.WriteAllTextAsync(project, original);
        }
    }

    [Fact]
    public async Task Adding_or_deleting_a_source_file_rebuilds()
    {
        await copy.BuildScript(copy.Path, "--version");
        var extra = System.IO.Path.Combine(copy.Path, "build", "Extra.cs");

        await File.WriteAllTextAsync(extra, "namespace Registry.Build; internal static class Extra { }\n");
        var added = await copy.BuildScript(copy.Path, "--version");
        File.Delete(extra);
        var deleted = await copy.BuildScript(copy.Path, "--version");

        Assert.Contains(Rebuilding, added.Error);
        Assert.Contains(Rebuilding, deleted.Error);
        Assert.Equal(0, deleted.ExitCode);
    }

    [Fact]
    public async Task A_pipeline_that_does_not_compile_fails_with_the_compilers_message_and_never_runs_the_old_build()
    {
        await copy.BuildScript(copy.Path, "--version");
        var broken = System.IO.Path.Combine(copy.Path, "build", "Broken.cs");
        try
        {
            await File.WriteAllTextAsync(broken, "namespace Registry.Build; internal static class Broken { int }\n");

            var run = await copy.BuildScript(copy.Path, "--version");

            Assert.Equal(1, run.ExitCode);
            Assert.Contains("error CS", run.Error);
            Assert.Contains("the pipeline does not build", run.Error);
            Assert.Equal(string.Empty, run.Output);
        }
        finally
        {
            File.Delete(broken);
        }
    }

    [Fact]
    public async Task Without_dotnet_it_says_the_sdk_is_needed()
    {
        using var bin = new TemporaryDirectory();
        File.CreateSymbolicLink(System.IO.Path.Combine(bin.Path, "dirname"), "/usr/bin/dirname");

        var run = await Command.Run(
            "/bin/bash", [System.IO.Path.Combine(copy.Path, "build.sh"), "--version"], bin.Path, new Dictionary<string, string?> { ["PATH"] = bin.Path });

        Assert.Equal(1, run.ExitCode);
        Assert.Contains("the .NET 10 SDK is needed and 'dotnet' is not on PATH", run.Error);
    }

    /// <summary>The files the bootstrappers build from and the templates, copied once for the class.</summary>
    public sealed class SourceCopy : IDisposable
    {
        private readonly TemporaryDirectory directory = new();

        public SourceCopy()
        {
            var root = SourceTree.Root.FullPath;
            // The pipeline's sources, and the manifest templates a Render reads.
            var files = Directory.EnumerateFiles(System.IO.Path.Combine(root, "build"), "*", SearchOption.AllDirectories)
                .Concat(Directory.EnumerateFiles(System.IO.Path.Combine(root, "k8s"), "*", SearchOption.AllDirectories));
            foreach (var file in files)
            {
                var relative = System.IO.Path.GetRelativePath(root, file);
                if (relative.Split(System.IO.Path.DirectorySeparatorChar) is [_, "bin" or "obj", ..])
                {
                    continue;
                }

                directory.Write(relative, File.ReadAllText(file));
            }

            File.Copy(System.IO.Path.Combine(root, "build.sh"), Path + "/build.sh");
            File.Copy(System.IO.Path.Combine(root, "build.ps1"), Path + "/build.ps1");
            File.Copy(SourceTree.Solution.FullPath, System.IO.Path.Combine(Path, SourceTree.SolutionFileName));
        }

        public string Path => directory.Path;

        public Task<Command> BuildScript(string workingDirectory, params string[] args) =>
            Command.Run("/bin/bash", [System.IO.Path.Combine(Path, "build.sh"), .. args], workingDirectory);

        /// <summary>build.ps1 run by PowerShell 7 (which the Test target installs), as a Windows user's shell runs it.</summary>
        public Task<Command> PowerShellScript(string workingDirectory, params string[] args) =>
            File.Exists(PowerShellTool.Executable.FullPath)
                ? Command.Run(
                    PowerShellTool.Executable.FullPath,
                    ["-NoProfile", "-NonInteractive", "-File", System.IO.Path.Combine(Path, "build.ps1"), .. args],
                    workingDirectory,
                    new Dictionary<string, string?> { ["GITHUB_ACTIONS"] = null, ["TF_BUILD"] = null, ["NO_COLOR"] = null, ["TERM"] = "xterm-256color", ["KUBECONFIG"] = null })
                : throw new InvalidOperationException($"PowerShell is not at {PowerShellTool.Executable.FullPath}; ./build.sh --target=Test installs it.");

        public void Dispose() => directory.Dispose();
    }
}
