using System.Text.Json.Nodes;
using Registry.Build.Manifests;
using Registry.Build.Testing;
using Registry.Build.Tests.Fixtures;
using Registry.Build.Workspace;

namespace Registry.Build.Tests.Ci;

/// <summary>The CI definitions users copy: valid, and running the pipeline the way the README says.</summary>
public sealed class WorkflowFilesTests
{
    private static readonly string Root = SourceTree.Root.FullPath;

    [Theory]
    [InlineData(".github/workflows/ci.yml")]
    [InlineData(".github/workflows/nightly.yml")]
    public async Task Each_github_workflow_passes_the_action_validator(string workflow)
    {
        var validator = NpmPackages.Prefix.Combine("node_modules/.bin").CombineWithFilePath("action-validator").FullPath;
        Assert.True(File.Exists(validator),
            $"{validator} is missing: ./build.sh --target=Test installs it (npm install --prefix .build/npm @action-validator/cli@0.6.0).");

        var run = await Command.Run(validator, [Path.Combine(Root, workflow)], Root);

        Assert.True(run.ExitCode == 0, run.Output + run.Error);
    }

    [Fact]
    public void The_ci_workflow_tests_then_deploys_to_kind_twice_and_fails_unless_the_second_run_changed_nothing()
    {
        var jobs = Load(".github/workflows/ci.yml")["jobs"]!.AsObject();
        var test = Runs(jobs["test"]!);
        var e2e = Runs(jobs["e2e"]!);

        Assert.Contains("./build.sh --target=Test", test);
        Assert.Contains(jobs["e2e"]!["steps"]!.AsArray(), step => step!["uses"]?.GetValue<string>().StartsWith("helm/kind-action", StringComparison.Ordinal) == true);
        // The README's first command, on a runner with kind but no cluster (a real runner is slower: a longer wait).
        var first = File.ReadLines(Path.Combine(Root, "README.md")).First(line => line.StartsWith("./build.sh", StringComparison.Ordinal)).Split('#')[0].Trim();
        Assert.StartsWith(first + " ", e2e[0] + " ");
        Assert.Contains(jobs["e2e"]!["steps"]!.AsArray(), step => step!["with"]?["install_only"]?.GetValue<bool>() == true);
        Assert.True(e2e.Count(command => command.Contains("--target=Deploy", StringComparison.Ordinal)) >= 2);
        Assert.Contains(e2e, command => command.Contains("--purge-data=true", StringComparison.Ordinal) && command.Contains("--namespace=shared", StringComparison.Ordinal));
        Assert.Contains(e2e, command => command.Contains("kubectl apply --server-side", StringComparison.Ordinal));
        Assert.Contains(e2e, command => command.Contains("deleted (no longer wanted)", StringComparison.Ordinal));
        Assert.Contains(e2e, command => command.Contains("--target=Plan", StringComparison.Ordinal) && command.Contains("--detailed-exitcode=true", StringComparison.Ordinal));
        Assert.Contains(e2e, command => command.Contains("created|updated", StringComparison.Ordinal));
    }

    [Fact]
    public void Both_ci_systems_run_build_ps1_on_windows_for_the_graph_and_an_offline_render()
    {
        var windows = Load(".github/workflows/ci.yml")["jobs"]!["windows"]!;
        var azureWindows = Load("azure-pipelines.yml")["stages"]!.AsArray()
            .SelectMany(stage => stage!["jobs"]!.AsArray())
            .Single(job => job!["pool"]?["vmImage"]?.GetValue<string>() == "windows-latest")!;
        string[] expected = ["./build.ps1 --tree", "./build.ps1 --target=Render --host=registry.example.test"];

        Assert.Equal("windows-latest", windows["runs-on"]!.GetValue<string>());
        Assert.All(expected, command => Assert.Contains(command, Runs(windows)));
        Assert.All(windows["steps"]!.AsArray().Where(step => step!["run"] is not null), step => Assert.Equal("pwsh", step!["shell"]!.GetValue<string>()));
        Assert.Equal(expected, azureWindows["steps"]!.AsArray().Select(step => step!["pwsh"]?.GetValue<string>()).OfType<string>());
    }

    [Fact]
    public void The_nightly_workflow_destroys_deploys_and_checks_for_drift_with_the_kubeconfig_from_a_secret()
    {
        var nightly = Load(".github/workflows/nightly.yml");
        var commands = Runs(nightly["jobs"]!["rebuild"]!);

        Assert.NotNull(nightly["on"]!["schedule"]);
        Assert.Equal(
            ["--target=Destroy --confirm=true", "--target=Deploy", "--target=Plan --detailed-exitcode=true", "--target=Status"],
            commands.Where(command => command.StartsWith("./build.sh", StringComparison.Ordinal)).Select(command => command["./build.sh ".Length..]));
        Assert.Contains("secrets.KUBECONFIG", File.ReadAllText(Path.Combine(Root, ".github/workflows/nightly.yml")));
    }

    [Fact]
    public void Azure_pipelines_has_the_test_deploy_and_smoke_stages_and_passes_secrets_only_through_the_environment()
    {
        var pipeline = Load("azure-pipelines.yml");
        var stages = pipeline["stages"]!.AsArray().Select(stage => stage!["stage"]!.GetValue<string>()).ToList();
        var steps = pipeline["stages"]!.AsArray()
            .SelectMany(stage => stage!["jobs"]!.AsArray())
            .SelectMany(job => job!["steps"]!.AsArray())
            .OfType<JsonObject>()
            .ToList();

        Assert.Equal(["Test", "Deploy", "Smoke"], stages);
        Assert.Contains(steps, step => step["script"]?.GetValue<string>() == "./build.sh --target=Test");
        Assert.Contains(steps, step => step["task"]?.GetValue<string>() == "PublishTestResults@2");
        Assert.All(steps.Where(step => step["script"] is not null), step => Assert.DoesNotContain("RegistryPassword", step["script"]!.GetValue<string>()));
        Assert.Contains(steps, step => step["env"]?["REGISTRY_PASSWORD"]?.GetValue<string>() == "$(RegistryPassword)");
    }

    [Fact]
    public void No_workflow_uploads_a_render_that_holds_secrets()
    {
        string[] allowed = ["artifacts/test-results", "artifacts/manifests", "artifacts/diagnostics", "artifacts/ca.crt"];
        var uploads = new[] { ".github/workflows/ci.yml", ".github/workflows/nightly.yml" }
            .SelectMany(file => Load(file)["jobs"]!.AsObject().SelectMany(job => job.Value!["steps"]!.AsArray()))
            .Where(step => step!["uses"]?.GetValue<string>().StartsWith("actions/upload-artifact", StringComparison.Ordinal) == true)
            .SelectMany(step => step!["with"]!["path"]!.GetValue<string>().Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
            .ToList();
        var published = Load("azure-pipelines.yml")["stages"]!.AsArray()
            .SelectMany(stage => stage!["jobs"]!.AsArray()).SelectMany(job => job!["steps"]!.AsArray())
            .Select(step => step!["publish"]?.GetValue<string>()).OfType<string>().ToList();
        var secretRenders = Load(".github/workflows/ci.yml")["jobs"]!.AsObject().SelectMany(job => Runs(job.Value!))
            .Where(command => command.Contains("--render-secrets=true", StringComparison.Ordinal)).ToList();

        Assert.NotEmpty(uploads);
        Assert.All(uploads.Concat(published), path => Assert.Contains(path, allowed));
        Assert.All(secretRenders, command => Assert.Contains("--artifacts=\"$RUNNER_TEMP/", command));
    }

    private static JsonObject Load(string file) => YamlToJson.Documents(File.ReadAllText(Path.Combine(Root, file)))[0].AsObject();

    private static List<string> Runs(JsonNode job) => job["steps"]!.AsArray()
        .Select(step => step!["run"]?.GetValue<string>())
        .OfType<string>()
        .SelectMany(run => run.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        .ToList();
}
