using Cake.Core;
using Cake.Core.Diagnostics;

namespace Registry.Build.Tests.Host.Frosting;

// Plain Frosting tasks, written as Frosting's documentation shows them; every test host registers all of them.

[TaskName("Default")]
[IsDependentOn(typeof(LintTask))]
public sealed class ExampleDefaultTask : FrostingTask
{
}

[TaskName("Fetch")]
[TaskDescription("Fetch the sources.")]
public sealed class FetchTask(Journal journal) : FrostingTask<FrostingContext>
{
    public override void Run(FrostingContext context)
    {
        context.Log.Information("fetched 3 files");
        context.Log.Verbose("fetched from the cache");
        journal.Add("Fetch");
    }
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

[TaskName("Stamp")]
[IsDependeeOf(typeof(PackTask))]
public sealed class StampTask(Journal journal) : FrostingTask<FrostingContext>
{
    public override void Run(FrostingContext context) => journal.Add("Stamp");
}

[TaskName("Pack")]
public sealed class PackTask(Journal journal) : FrostingTask<FrostingContext>
{
    public override void Run(FrostingContext context) => journal.Add("Pack");
}

[TaskName("Release")]
public sealed class ReleaseTask(Journal journal) : FrostingTask<FrostingContext>
{
    public override bool ShouldRun(FrostingContext context) => false;

    public override void Run(FrostingContext context) => journal.Add("Release");
}

[TaskName("Publish")]
[IsDependentOn(typeof(ReleaseTask))]
public sealed class PublishTask(Journal journal) : FrostingTask<FrostingContext>
{
    public override void Run(FrostingContext context) => journal.Add("Publish");
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

[TaskName("Lights")]
[ContinueOnError]
public sealed class LightsTask : FrostingTask<FrostingContext>
{
    public override void Run(FrostingContext context) => throw new InvalidOperationException("bulb broken");
}

[TaskName("Party")]
[IsDependentOn(typeof(LightsTask))]
public sealed class PartyTask(Journal journal) : FrostingTask<FrostingContext>
{
    public override void Run(FrostingContext context) => journal.Add("Party");
}

public sealed class JournalLifetime(Journal journal) : FrostingLifetime<FrostingContext>
{
    public override void Setup(FrostingContext context, ISetupContext info) =>
        journal.Add("Setup: " + string.Join(",", info.TasksToExecute.Select(task => task.Name)));

    public override void Teardown(FrostingContext context, ITeardownContext info) =>
        journal.Add("Teardown: " + (info.Successful ? "successful" : "failed"));
}

public sealed class JournalTaskLifetime(Journal journal) : FrostingTaskLifetime
{
    public override void Setup(ICakeContext context, ITaskSetupContext info) => journal.Add("TaskSetup: " + info.Task.Name);

    public override void Teardown(ICakeContext context, ITaskTeardownContext info) =>
        journal.Add($"TaskTeardown: {info.Task.Name}{(info.Skipped ? " (skipped)" : string.Empty)}");
}
