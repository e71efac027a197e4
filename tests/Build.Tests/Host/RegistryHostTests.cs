using Microsoft.Extensions.DependencyInjection;
using Registry.Build.Host;
using Registry.Build.Tests.Fixtures;
using Registry.Build.Tests.Host.Frosting;

namespace Registry.Build.Tests.Host;

/// <summary>
/// Our extensions on Frosting's host: where the pipeline differs from Frosting on purpose (a skip has a reason, a
/// target already done succeeds, OnError does not end a failure) and what it adds (exit codes, Ctrl-C, help).
/// </summary>
public sealed class RegistryHostTests
{
    private readonly Journal journal = new();

    [Fact]
    public async Task Differs_from_Frosting_a_skipped_step_says_why_in_the_log_and_the_report()
    {
        var run = await Run("--target=Renew");

        Assert.Equal(0, run.ExitCode);
        Assert.Equal(["Setup: Certify,Renew", "Renew", "Teardown: successful"], journal.Entries);
        Assert.Contains("Skipping Certify: the certificate is valid for 80 more days", run.Output);
        Assert.Contains("Skipped: the certificate is valid for 80 more days", run.ReportRow("Certify"));
        Assert.Contains("Executed", run.ReportRow("Renew"));
    }

    [Fact]
    public async Task Differs_from_Frosting_a_target_already_done_succeeds_without_running_its_work_or_Finally()
    {
        var run = await Run("--target=Certify");

        Assert.Equal(0, run.ExitCode);
        Assert.Equal(["Setup: Certify", "Teardown: successful"], journal.Entries);
        Assert.Contains("Skipped: the certificate is valid for 80 more days", run.ReportRow("Certify"));
    }

    [Fact]
    public async Task Differs_from_Frosting_OnError_runs_but_the_failure_fails_the_run_and_stops_what_depends_on_it()
    {
        var run = await Run("--target=Notify");

        Assert.Equal(1, run.ExitCode);
        Assert.Equal(["Setup: Upgrade,Notify", "Upgrade.OnError: image not found", "Upgrade.Finally", "Teardown: failed"], journal.Entries);
        Assert.Contains("Failed", run.ReportRow("Upgrade"));
        Assert.Null(run.ReportRow("Notify"));
        Assert.Contains("image not found", run.Output);
    }

    [Fact]
    public async Task Differs_from_Frosting_a_dry_run_lists_the_steps_without_asking_their_ShouldRun()
    {
        var run = await HostRun.Of(
            NewHost().UseContext<DryRunAwareContext>().UseSetup<DryRunMarkingSetup>(), ["--target=Inspect", "--dryrun"]);

        Assert.Equal(0, run.ExitCode);
        Assert.DoesNotContain("Inspect.ShouldRun", journal.Entries);
        Assert.Contains("1. Inspect", run.Output);
    }

    [Fact]
    public async Task Ctrl_C_during_a_step_that_ignores_it_stops_the_run_before_the_next_step()
    {
        var run = await Run("--target=Proceed");

        Assert.Equal(RunCancellation.ExitCode, run.ExitCode);
        Assert.Equal(["Setup: Shrug,Proceed", "Shrug", "Teardown: failed"], journal.Entries);
    }

    [Fact]
    public async Task A_CakeException_ends_the_process_with_its_own_exit_code()
    {
        var run = await Run("--target=Refuse");

        Assert.Equal(2, run.ExitCode);
        Assert.Contains("replicas: '0' is not allowed", run.Output);
    }

    [Fact]
    public async Task Plain_Frosting_tasks_keep_Frosting_semantics_under_the_extensions()
    {
        var run = await Run("--target=Announce");

        Assert.Equal(0, run.ExitCode);
        Assert.Contains("Announce", journal.Entries);
    }

    [Theory]
    [InlineData("--target=Shp")]
    [InlineData("--verbosity=loud")]
    [InlineData("Ship")]
    public async Task A_command_line_Frosting_refuses_exits_2_before_anything_runs(string argument)
    {
        var run = await Run(argument);

        Assert.Equal(2, run.ExitCode);
        Assert.Empty(journal.Entries);
    }

    [Fact]
    public async Task Ctrl_C_stops_the_running_step_runs_the_teardown_and_exits_130()
    {
        var run = await Run("--target=Wait").WaitAsync(TimeSpan.FromSeconds(30));

        Assert.Equal(RunCancellation.ExitCode, run.ExitCode);
        Assert.Equal(["Setup: Wait", "Wait started", "Teardown: failed"], journal.Entries);
        Assert.Contains("Cancelled. What was done stays done; the next run picks up from there.", run.Output);
        Assert.Contains("Failed", run.ReportRow("Wait"));
    }

    [Fact]
    public async Task Help_adds_every_task_with_its_description_and_runs_nothing()
    {
        var run = await Run("--help");

        Assert.Equal(0, run.ExitCode);
        Assert.Matches(@"Fetch\s+Fetch the sources\.", run.Output);
        Assert.Contains("Certify", run.Output);
        Assert.Empty(journal.Entries);
    }

    private CakeHost NewHost() => new CakeHost()
        .UseLifetime<JournalLifetime>()
        .UseRegistryHost()
        .AddAssembly(typeof(Journal).Assembly)
        .ConfigureServices(services => services.AddSingleton(journal));

    private Task<HostRun> Run(params string[] args) => HostRun.Of(NewHost(), args);
}
