using Registry.Build.Tests.Fixtures;

namespace Registry.Build.Tests;

/// <summary>build.ps1 under PowerShell 7, on its own copy of the sources: it must do what build.sh does, and share its build.</summary>
public sealed class BuildPowerShellScriptTests : IClassFixture<BuildScriptTests.SourceCopy>
{
    private const string Rebuilding = "build.ps1: building the pipeline";
    private readonly BuildScriptTests.SourceCopy copy;

    public BuildPowerShellScriptTests(BuildScriptTests.SourceCopy copy)
    {
        this.copy = copy;
    }

    [Fact]
    public async Task Tree_prints_the_task_graph_and_exits_0()
    {
        var run = await copy.PowerShellScript(copy.Path, "--tree");

        Assert.Equal(0, run.ExitCode);
        Assert.Matches(@"(?m)^Default\s*$", run.Output);
        Assert.Matches(@"└─Deploy", run.Output);
    }

    [Fact]
    public async Task A_bad_setting_exits_2_from_any_working_directory_with_the_arguments_passed_as_given()
    {
        using var elsewhere = new TemporaryDirectory();

        var run = await copy.PowerShellScript(elsewhere.Path, "--target=Validate", "--host", "bad_host!");

        Assert.Equal(2, run.ExitCode);
        Assert.Contains("host: 'bad_host!' (from the command line) is not a valid DNS name", run.Error);
    }

    [Fact]
    public async Task Render_writes_the_manifests_without_a_cluster_and_redirected_output_has_no_colour_codes()
    {
        using var artifacts = new TemporaryDirectory();

        var run = await copy.PowerShellScript(copy.Path, "--target=Render", "--host=registry.example.test", $"--artifacts={artifacts.Path}");

        Assert.Equal(0, run.ExitCode);
        Assert.True(File.Exists(Path.Combine(artifacts.Path, "manifests", "all.yaml")), run.Output + run.Error);
        Assert.Contains("host: registry.example.test", File.ReadAllText(Path.Combine(artifacts.Path, "manifests", "all.yaml")));
        Assert.DoesNotContain("\u001b[", run.Output + run.Error);
    }

    [Fact]
    public async Task Shares_the_build_with_build_sh_and_rebuilds_after_an_edit_under_build()
    {
        await copy.BuildScript(copy.Path, "--version");
        var shared = await copy.PowerShellScript(copy.Path, "--version");
        var source = Path.Combine(copy.Path, "build", "Extra.cs");
        await File.WriteAllTextAsync(source, "namespace Registry.Build; internal static class Extra { }\n");
        try
        {
            var edited = await copy.PowerShellScript(copy.Path, "--version");
            var afterPowerShell = await copy.BuildScript(copy.Path, "--version");

            Assert.Equal(0, shared.ExitCode);
            Assert.DoesNotContain(Rebuilding, shared.Error);
            Assert.Contains(Rebuilding, edited.Error);
            Assert.Equal("0.1.0", edited.Output.Trim());
            Assert.DoesNotContain("building the pipeline", afterPowerShell.Error);
        }
        finally
        {
            File.Delete(source);
        }
    }

    [Fact]
    public async Task A_pipeline_that_does_not_compile_exits_1_with_the_compilers_message()
    {
        var broken = Path.Combine(copy.Path, "build", "Broken.cs");
        await File.WriteAllTextAsync(broken, "namespace Registry.Build; internal static class Broken { int }\n");
        try
        {
            var run = await copy.PowerShellScript(copy.Path, "--version");

            Assert.Equal(1, run.ExitCode);
            Assert.Contains("error CS", run.Error);
            Assert.Contains("the pipeline does not build", run.Error);
        }
        finally
        {
            File.Delete(broken);
        }
    }
}
