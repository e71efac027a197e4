using Cake.Core;
using Cake.Core.Diagnostics;
using Spectre.Console;

namespace Registry.Build.Host;

/// <summary>
/// Cake's report, with the reason beside every skipped task: on a re-run most tasks skip,
/// and "Skipped" alone does not tell a user whether that was right.
/// </summary>
public sealed class TaskReportPrinter(IAnsiConsole console, SkipReasons skipReasons) : ICakeReportPrinter
{
    public void Write(CakeReport report)
    {
        // Setup and teardown rows only matter when they failed; a run stopped before its first task has no table.
        var entries = report.Where(entry =>
            entry.Category == CakeReportEntryCategory.Task || entry.ExecutionStatus == CakeTaskExecutionStatus.Failed).ToList();
        if (entries.Count == 0)
        {
            console.WriteLine();
            console.WriteLine("Task report: no task ran.");
            return;
        }

        var table = new Table().Border(TableBorder.Simple).Expand();
        table.AddColumn("Task");
        table.AddColumn("Duration");
        table.AddColumn("Status");

        var total = TimeSpan.Zero;
        foreach (var entry in entries)
        {
            total += entry.Duration;
            table.AddRow(
                Markup.Escape(entry.TaskName),
                Duration(entry),
                Status(entry));
        }

        table.AddEmptyRow();
        table.AddRow("[bold]Total:[/]", $"[bold]{Markup.Escape(Format(total))}[/]", string.Empty);
        console.Write(table);
    }

    public void WriteStep(string name, Verbosity verbosity)
    {
        if (verbosity < Verbosity.Normal)
        {
            return;
        }

        console.WriteLine();
        console.Write(new Rule($"[bold]{Markup.Escape(name)}[/]").LeftJustified());
    }

    public void WriteLifeCycleStep(string name, Verbosity verbosity)
    {
        if (verbosity >= Verbosity.Verbose)
        {
            console.Write(new Rule($"[grey]{Markup.Escape(name)}[/]").LeftJustified());
        }
    }

    // The task bases log each skip with its reason; Cake's own line would say it again without one.
    public void WriteSkippedStep(string name, Verbosity verbosity)
    {
    }

    private static string Duration(CakeReportEntry entry) => Markup.Escape(Format(entry.Duration));

    private string Status(CakeReportEntry entry) => (entry.ExecutionStatus, skipReasons.For(entry.TaskName)) switch
    {
        (CakeTaskExecutionStatus.Executed, { } reason) => "[yellow]Skipped[/]: " + Markup.Escape(reason),
        // A task with no work of its own (a target such as Deploy) ran its dependencies: to a user, it executed.
        (CakeTaskExecutionStatus.Executed or CakeTaskExecutionStatus.Delegated, null) => "[green]Executed[/]",
        (CakeTaskExecutionStatus.Failed, _) => "[red]Failed[/]",
        (CakeTaskExecutionStatus.Skipped, var reason) => "[yellow]Skipped[/]: " + Markup.Escape(reason ?? NonEmpty(entry.SkippedMessage) ?? "criteria not met"),
        _ => Markup.Escape(entry.ExecutionStatus.ToString()),
    };

    private static string? NonEmpty(string? text) => string.IsNullOrEmpty(text) ? null : text;

    private static string Format(TimeSpan duration) => duration.ToString(@"hh\:mm\:ss\.fff");
}
