using System.Text.RegularExpressions;
using Microsoft.Extensions.DependencyInjection;
using Registry.Build.Host;
using Registry.Build.Tests.Fixtures;

namespace Registry.Build.Tests.Host.Frosting;

/// <summary>
/// Frosting's behaviour as its documentation describes it (cakebuild.net, Frosting: tasks, dependencies, criteria,
/// error handling, lifetimes, and the Cake command line), run on our surface through <see cref="CakeHost.Run"/> alone.
/// The same tests hold for Cake.Frosting itself; where our pipeline differs on purpose, RegistryHostTests says so.
/// </summary>
public sealed class CakeHostTests
{
    private readonly Journal journal = new();

    [Fact]
    public async Task Runs_every_dependency_once_before_the_target_in_declaration_order()
    {
        var run = await Run("--target=Ship");

        Assert.Equal(0, run.ExitCode);
        Assert.Equal(["Setup: Fetch,Compile,Lint,Ship", "Fetch", "Compile", "Lint", "Ship", "Teardown: successful"], journal.Entries);
    }

    [Fact]
    public async Task A_reverse_dependency_runs_before_the_task_that_names_it()
    {
        var run = await Run("--target=Pack");

        Assert.Equal(0, run.ExitCode);
        Assert.Equal(["Setup: Stamp,Pack", "Stamp", "Pack", "Teardown: successful"], journal.Entries);
    }

    [Fact]
    public async Task Without_a_target_the_task_named_Default_runs()
    {
        var run = await Run();

        Assert.Equal(0, run.ExitCode);
        Assert.Equal(["Setup: Fetch,Lint,Default", "Fetch", "Lint", "Teardown: successful"], journal.Entries);
    }

    [Fact]
    public async Task A_dependency_whose_criteria_says_no_is_skipped_and_the_run_goes_on()
    {
        var run = await Run("--target=Publish");

        Assert.Equal(0, run.ExitCode);
        Assert.Equal(["Setup: Release,Publish", "Publish", "Teardown: successful"], journal.Entries);
        Assert.Matches(@"Release\s+-\s+Skipped", run.Output);
    }

    [Fact]
    public async Task A_target_whose_criteria_says_no_fails_the_run()
    {
        var run = await Run("--target=Release");

        Assert.Equal(-1, run.ExitCode);
        Assert.DoesNotContain("Release", journal.Entries);
        Assert.Contains("Could not reach target 'Release' since it was skipped due to a criteria.", run.Output);
    }

    [Fact]
    public async Task OnError_handles_the_failure_so_Finally_runs_and_what_depends_on_it_runs_too()
    {
        var run = await Run("--target=Announce");

        Assert.Equal(0, run.ExitCode);
        Assert.Equal(["Setup: Migrate,Announce", "Migrate.OnError: disk full", "Migrate.Finally", "Announce", "Teardown: successful"], journal.Entries);
    }

    [Fact]
    public async Task ContinueOnError_logs_the_failure_and_runs_what_depends_on_it()
    {
        var run = await Run("--target=Party");

        Assert.Equal(0, run.ExitCode);
        Assert.Contains("Party", journal.Entries);
        Assert.Contains("An error occurred when executing task 'Lights'.", run.Output);
        Assert.Matches(@"Lights\s+\S+\s+Failed", run.Output);
    }

    [Fact]
    public async Task The_task_lifetime_runs_around_every_task_even_a_skipped_one()
    {
        var run = await HostRun.OfFrosting(NewHost().UseTaskLifetime<JournalTaskLifetime>(), "--target=Publish");

        Assert.Equal(0, run.ExitCode);
        Assert.Equal(
            ["Setup: Release,Publish", "TaskSetup: Release", "TaskTeardown: Release (skipped)", "TaskSetup: Publish", "Publish", "TaskTeardown: Publish", "Teardown: successful"],
            journal.Entries);
    }

    [Fact]
    public async Task Exclusive_runs_the_target_without_its_dependencies()
    {
        var run = await Run("--target", "Ship", "--exclusive");

        Assert.Equal(0, run.ExitCode);
        Assert.Equal(["Ship"], journal.Entries.Where(entry => !entry.StartsWith("Setup", StringComparison.Ordinal) && !entry.StartsWith("Teardown", StringComparison.Ordinal)));
    }

    [Fact]
    public async Task Dry_run_lists_the_tasks_in_order_and_runs_none_of_them()
    {
        var run = await Run("-t", "Ship", "--dryrun");

        Assert.Equal(0, run.ExitCode);
        Assert.DoesNotContain("Ship", journal.Entries);
        var listed = run.Output.Split('\n').Select(line => line.Trim()).Where(line => Regex.IsMatch(line, @"^\d+\. "));
        Assert.Equal(["1. Fetch", "2. Compile", "3. Lint", "4. Ship"], listed);
    }

    [Fact]
    public async Task Tree_shows_the_dependency_graph_and_runs_nothing()
    {
        var run = await Run("--tree");

        Assert.Equal(0, run.ExitCode);
        Assert.Empty(journal.Entries);
        Assert.Matches(@"Ship\s+[├└]─Compile\s+│?\s*└─Fetch", run.Output);
    }

    [Fact]
    public async Task Description_lists_each_task_with_its_description()
    {
        var run = await Run("--description");

        Assert.Equal(0, run.ExitCode);
        Assert.Empty(journal.Entries);
        Assert.Matches(@"Fetch\s+Fetch the sources\.", run.Output);
    }

    [Theory]
    [InlineData("quiet", false, false)]
    [InlineData("normal", true, false)]
    [InlineData("diagnostic", true, true)]
    public async Task Verbosity_decides_which_log_lines_are_shown(string verbosity, bool information, bool verbose)
    {
        var run = await Run("--target=Fetch", $"--verbosity={verbosity}");

        Assert.Equal(0, run.ExitCode);
        Assert.Equal(information, run.Output.Contains("fetched 3 files"));
        Assert.Equal(verbose, run.Output.Contains("fetched from the cache"));
    }

    [Fact]
    public async Task An_unknown_target_fails_naming_it()
    {
        var run = await Run("--target=Shp");

        Assert.Equal(-1, run.ExitCode);
        Assert.Contains("The target 'Shp' was not found.", run.Output);
        Assert.Empty(journal.Entries);
    }

    [Fact]
    public async Task Other_arguments_reach_the_tasks_as_Cake_arguments_with_the_target_among_them()
    {
        IReadOnlyDictionary<string, ICollection<string>>? seen = null;
        var host = NewHost().UseSetup<ArgumentsSetup>().ConfigureServices(services => services.AddSingleton<Action<ArgumentsSeen>>(view => seen = view.All));

        var run = await HostRun.OfFrosting(host, "--target=Lint", "--host=registry.example.com", "--replicas", "2", "--smoke-test");

        Assert.Equal(0, run.ExitCode);
        Assert.Equal(["registry.example.com"], seen!["host"]);
        Assert.Equal(["2"], seen["replicas"]);
        Assert.Equal(["Lint"], seen["target"]);
        Assert.True(seen.ContainsKey("smoke-test"));
    }

    [Fact]
    public async Task Version_prints_a_version_and_runs_nothing()
    {
        var run = await Run("--version");

        Assert.Equal(0, run.ExitCode);
        Assert.NotEmpty(run.Output.Trim());
        Assert.Empty(journal.Entries);
    }

    [Fact]
    public async Task A_tool_to_install_whose_scheme_no_installer_takes_fails_the_run_before_any_task()
    {
        var run = await HostRun.OfFrosting(NewHost().InstallTool(new Uri("apt:?package=GitVersion.Tool&version=6.0.0")), "--target=Fetch");

        Assert.Equal(-1, run.ExitCode);
        Assert.Contains("Could not find an installer for the 'apt' scheme.", run.Output);
        Assert.Empty(journal.Entries);
    }

    private CakeHost NewHost() => new CakeHost()
        .UseLifetime<JournalLifetime>()
        .AddAssembly(typeof(Journal).Assembly)
        .ConfigureServices(services => services.AddSingleton(journal).AddSingleton(new RunCancellation()));

    private Task<HostRun> Run(params string[] args) => HostRun.OfFrosting(NewHost(), args);
}

/// <summary>Hands the Cake arguments a setup sees to the test.</summary>
public sealed class ArgumentsSetup(Action<ArgumentsSeen> report) : FrostingSetup
{
    public override void Setup(Cake.Core.ICakeContext context, Cake.Core.ISetupContext info) =>
        report(new ArgumentsSeen(context.Arguments.GetArguments().ToDictionary(argument => argument.Key, argument => argument.Value)));
}

public sealed record ArgumentsSeen(IReadOnlyDictionary<string, ICollection<string>> All);
