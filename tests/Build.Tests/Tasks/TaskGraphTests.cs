using Registry.Build.Tests.Fixtures;

namespace Registry.Build.Tests.Tasks;

/// <summary>The real pipeline, run in-process as build.sh runs it.</summary>
public sealed class TaskGraphTests
{
    private static readonly string[] GuideSteps =
    [
        "Validate", "Helm", "Tiller", "IngressController", "GatewayController", "Dns", "CertManager", "Namespace", "Inventory", "Issuer", "Gateway", "Certificate",
        "Credentials", "PullSecrets", "RegistryConfig", "Storage", "Workload", "Service", "WebUi", "Ingress", "HttpRoute", "NodeTrust", "Prune", "Rollout", "SmokeTest",
    ];

    private static readonly string[] Targets = ["Deploy", "Render", "Plan", "Status", "Destroy", "Test"];

    [Fact]
    public async Task The_tree_shows_every_step_of_the_guide_and_every_target()
    {
        var run = await Run("--tree");

        Assert.Equal(0, run.ExitCode);
        Assert.All(GuideSteps.Concat(Targets), task => Assert.Matches($@"(?m)(^|─){task}\s*$", run.Output));
    }

    [Fact]
    public async Task Deploy_runs_the_steps_in_the_guides_order_prerequisites_first()
    {
        var run = await Run("--dryrun", "--host=registry.example.com");

        var order = run.Output.Split('\n')
            .Select(line => System.Text.RegularExpressions.Regex.Match(line.Trim(), @"^\d+\. (\w+)$"))
            .Where(match => match.Success)
            .Select(match => match.Groups[1].Value)
            .ToList();
        Assert.Equal([.. GuideSteps, "Deploy", "Default"], order);
    }

    [Fact]
    public async Task Every_task_has_a_description()
    {
        var run = await Run("--description");

        Assert.All(GuideSteps.Concat(Targets), task => Assert.Matches($@"(?m)^\s*{task}\s+[A-Z]\S*\s", run.Output));
    }

    [Fact]
    public async Task A_bad_host_stops_the_run_with_exit_code_2_naming_host_before_any_task()
    {
        var run = await Run("--target=Validate", "--host=bad_host!");

        Assert.Equal(2, run.ExitCode);
        Assert.Contains("host: 'bad_host!' (from the command line) is not a valid DNS name", run.Output);
        Assert.Null(run.ReportRow("Validate"));
    }

    [Fact]
    public async Task Settings_from_the_environment_are_validated_and_named_with_their_variable()
    {
        var run = await Run(["--target=Validate"], new() { ["REGISTRY_HOST"] = "registry.example.com", ["REGISTRY_REPLICAS"] = "0" });

        Assert.Equal(2, run.ExitCode);
        Assert.Contains("replicas: '0' (from $REGISTRY_REPLICAS) is not a positive number; expected 1 or more", run.Output);
    }

    [Fact]
    public async Task Validate_shows_the_effective_settings_and_where_each_came_from_but_never_the_password()
    {
        var run = await Run(
            ["--target=Validate", "--host=registry.example.com"],
            new() { ["REGISTRY_PASSWORD"] = "Pa55-never-printed", ["REGISTRY_NAMESPACE"] = "tools" });

        Assert.Equal(0, run.ExitCode);
        Assert.Matches(@"host\s+registry\.example\.com\s+\(from the command line\)", run.Output);
        Assert.Matches(@"namespace\s+tools\s+\(from \$REGISTRY_NAMESPACE\)", run.Output);
        Assert.Matches(@"password\s+\*+\s+\(given\)", run.Output);
        Assert.DoesNotContain("Pa55-never-printed", run.Output);
        Assert.Contains("Executed", run.ReportRow("Validate"));
    }

    [Fact]
    public async Task Deploy_without_a_cluster_stops_before_the_first_step_even_with_a_host()
    {
        var run = await Run("--host=registry.example.com");

        Assert.Equal(2, run.ExitCode);
        Assert.Contains("kubeconfig: finds no cluster to work on", run.Output);
        Assert.All(GuideSteps, task => Assert.Null(run.ReportRow(task)));
    }

    [Fact]
    public async Task The_smoke_test_is_skipped_with_the_reason_when_turned_off()
    {
        var run = await Run("--target=SmokeTest", "--exclusive", "--host=registry.example.com", "--smoke-test=false");

        Assert.Equal(0, run.ExitCode);
        Assert.Contains("Skipped: smoke-test is false", run.ReportRow("SmokeTest"));
    }

    [Fact]
    public async Task Help_lists_every_setting_with_its_default()
    {
        var run = await Run("--help");

        Assert.Equal(0, run.ExitCode);
        Assert.Matches(@"--namespace\s+.*\(default docker-registry\)", run.Output);
        Assert.Matches(@"--cert-manager-version\s+.*\(default v1\.21\.1\)", run.Output);
        Assert.Contains("$REGISTRY_PASSWORD", run.Output);
    }

    [Fact]
    public async Task Several_targets_in_one_run_are_refused_before_anything_runs()
    {
        var run = await Run("--target=Render", "--target=Deploy", "--host=registry.example.com");

        Assert.Equal(2, run.ExitCode);
        Assert.Contains("target: 'Render, Deploy' (from the command line) names several tasks; expected one target per run", run.Output);
        Assert.Null(run.ReportRow("Validate"));
    }

    private static Task<HostRun> Run(params string[] args) => Run(args, []);

    private static Task<HostRun> Run(string[] args, Dictionary<string, string> environment) =>
        HostRun.Of(Pipeline.Create(), args, environment);
}
