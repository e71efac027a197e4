using System.Text.RegularExpressions;
using Microsoft.Extensions.DependencyInjection;
using Registry.Build.Host;
using Registry.Build.Tests.Fixtures;

namespace Registry.Build.Tests.Host;

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
    public async Task A_target_whose_ShouldRun_says_no_is_skipped_with_its_reason_in_the_log_and_the_report_and_succeeds()
    {
        var run = await Run("--target=Release");

        Assert.Equal(0, run.ExitCode);
        Assert.DoesNotContain("Release", journal.Entries);
        Assert.Contains("Skipping Release: release 1.2.3 already exists", run.Output);
        Assert.Contains("Skipped: release 1.2.3 already exists", run.ReportRow("Release"));
    }

    [Fact]
    public async Task A_failing_task_calls_OnError_and_Finally_fails_the_run_and_stops_what_depends_on_it()
    {
        var run = await Run("--target=Announce");

        Assert.Equal(1, run.ExitCode);
        Assert.Equal(["Setup: Migrate,Announce", "Migrate.OnError: disk full", "Migrate.Finally", "Teardown: failed"], journal.Entries);
        Assert.Contains("Failed", run.ReportRow("Migrate"));
        Assert.Null(run.ReportRow("Announce"));
        Assert.Contains("disk full", run.Output);
    }

    [Fact]
    public async Task Dry_run_lists_the_tasks_in_order_and_runs_none_of_them()
    {
        var run = await Run("--target=Ship", "--dryrun");

        Assert.Equal(0, run.ExitCode);
        Assert.Empty(journal.Entries);
        var listed = run.Output.Split('\n').Select(line => line.Trim()).Where(line => Regex.IsMatch(line, @"^\d+\. "));
        Assert.Equal(["1. Fetch", "2. Compile", "3. Lint", "4. Ship"], listed);
    }

    [Fact]
    public async Task Exclusive_runs_the_target_without_its_dependencies()
    {
        var run = await Run("--target", "Ship", "--exclusive");

        Assert.Equal(0, run.ExitCode);
        Assert.Equal(["Setup: Ship", "Ship", "Teardown: successful"], journal.Entries);
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
        Assert.Matches(@"Fetch\s+Fetch the sources\.", run.Output);
    }

    [Fact]
    public async Task The_default_target_runs_when_none_is_named()
    {
        var run = await HostRun.Of(NewHost().UseDefaultTarget("Lint"), []);

        Assert.Equal(0, run.ExitCode);
        Assert.Equal(["Setup: Fetch,Lint", "Fetch", "Lint", "Teardown: successful"], journal.Entries);
    }

    [Fact]
    public async Task An_unknown_target_exits_2_naming_the_tasks_there_are()
    {
        var run = await Run("--target=Deploi");

        Assert.Equal(2, run.ExitCode);
        Assert.Contains("--target: 'Deploi' is not a task; expected one of", run.Output);
        Assert.Contains("Ship", run.Output);
        Assert.Empty(journal.Entries);
    }

    [Theory]
    [InlineData("Ship")]
    [InlineData("--verbosity=loud")]
    [InlineData("--dryrun=maybe")]
    public async Task A_malformed_command_line_exits_2_before_anything_runs(string argument)
    {
        var run = await Run(argument);

        Assert.Equal(2, run.ExitCode);
        Assert.Contains(argument.Split('=')[0], run.Output);
        Assert.Empty(journal.Entries);
    }

    [Fact]
    public async Task Version_and_help_answer_without_running_a_task()
    {
        var version = await Run("--version");
        var help = await Run("--help");

        Assert.Equal(0, version.ExitCode);
        Assert.Matches(@"\(Cake 7\.\d+\.\d+\)", version.Output);
        Assert.Equal(0, help.ExitCode);
        Assert.Contains("--target=TASK", help.Output);
        Assert.Contains("Release", help.Output);
        Assert.Empty(journal.Entries);
    }

    [Fact]
    public async Task Cancelling_stops_the_running_task_runs_teardown_and_exits_130()
    {
        var cancellation = new RunCancellation();
        var host = NewHost().AddTasks(typeof(WaitTask)).ConfigureServices(services => services.AddSingleton(cancellation));
        var running = HostRun.Of(host, ["--target=Wait"]);
        while (!journal.Entries.Contains("Wait started"))
        {
            await Task.Delay(10);
        }

        cancellation.Cancel();
        var run = await running.WaitAsync(TimeSpan.FromSeconds(10));

        Assert.Equal(RunCancellation.ExitCode, run.ExitCode);
        Assert.Equal("Teardown: failed", journal.Entries[^1]);
        Assert.Contains("Cancelled. What was done stays done; the next run picks up from there.", run.Output);
        Assert.Contains("Failed", run.ReportRow("Wait"));
    }

    private CakeHost NewHost() => new CakeHost()
        .UseLifetime<JournalLifetime>()
        .AddTasks(typeof(FetchTask), typeof(CompileTask), typeof(LintTask), typeof(ShipTask), typeof(ReleaseTask), typeof(MigrateTask), typeof(AnnounceTask))
        .ConfigureServices(services => services.AddSingleton(journal));

    private Task<HostRun> Run(params string[] args) => HostRun.Of(NewHost(), args);
}
