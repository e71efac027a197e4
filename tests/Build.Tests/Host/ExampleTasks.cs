using Cake.Core;
using Registry.Build.Host;

namespace Registry.Build.Tests.Host;

/// <summary>What the example tasks did, in order.</summary>
public sealed class Journal
{
    private readonly List<string> entries = [];

    public IReadOnlyList<string> Entries => entries;

    public void Add(string entry)
    {
        lock (entries)
        {
            entries.Add(entry);
        }
    }
}

[TaskName("Fetch")]
[TaskDescription("Fetch the sources.")]
public sealed class FetchTask(Journal journal) : FrostingTask<FrostingContext>
{
    public override void Run(FrostingContext context) => journal.Add("Fetch");
}

[TaskName("Compile")]
[IsDependentOn(typeof(FetchTask))]
public sealed class CompileTask(Journal journal) : AsyncFrostingTask<FrostingContext>
{
    public override async Task RunAsync(FrostingContext context)
    {
        await Task.Delay(10);
        journal.Add("Compile");
    }
}

[TaskName("Lint")]
[IsDependentOn(typeof(FetchTask))]
public sealed class LintTask(Journal journal) : FrostingTask<FrostingContext>
{
    public override void Run(FrostingContext context) => journal.Add("Lint");
}

[TaskName("Ship")]
[IsDependentOn(typeof(CompileTask))]
[IsDependentOn(typeof(LintTask))]
public sealed class ShipTask(Journal journal) : FrostingTask<FrostingContext>
{
    public override void Run(FrostingContext context) => journal.Add("Ship");
}

[TaskName("Release")]
public sealed class ReleaseTask(Journal journal) : FrostingTask<FrostingContext>
{
    public override bool ShouldRun(FrostingContext context) => Skip("release 1.2.3 already exists");

    public override void Run(FrostingContext context) => journal.Add("Release");
}

[TaskName("Migrate")]
public sealed class MigrateTask(Journal journal) : FrostingTask<FrostingContext>
{
    public override void Run(FrostingContext context) => throw new InvalidOperationException("disk full");

    public override void OnError(Exception exception, FrostingContext context) => journal.Add("Migrate.OnError: " + exception.Message);

    public override void Finally(FrostingContext context) => journal.Add("Migrate.Finally");
}

[TaskName("Announce")]
[IsDependentOn(typeof(MigrateTask))]
public sealed class AnnounceTask(Journal journal) : FrostingTask<FrostingContext>
{
    public override void Run(FrostingContext context) => journal.Add("Announce");
}

public sealed class JournalLifetime(Journal journal) : FrostingLifetime<FrostingContext>
{
    public override void Setup(FrostingContext context, ISetupContext info) =>
        journal.Add("Setup: " + string.Join(",", info.TasksToExecute.Select(task => task.Name)));

    public override void Teardown(FrostingContext context, ITeardownContext info) =>
        journal.Add("Teardown: " + (info.Successful ? "successful" : "failed"));
}

[TaskName("Wait")]
public sealed class WaitTask(Journal journal, RunCancellation cancellation) : AsyncFrostingTask<FrostingContext>
{
    public override async Task RunAsync(FrostingContext context)
    {
        journal.Add("Wait started");
        await Task.Delay(Timeout.Infinite, cancellation.Token);
    }
}
