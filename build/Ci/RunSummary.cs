using System.Text;

namespace Registry.Build.Ci;

/// <summary>The run as a CI summary page shows it: each task, how long it took, and what it did.</summary>
public sealed class RunSummary
{
    private readonly List<(string Task, TimeSpan Duration, string Status)> rows = [];

    public void Add(string task, TimeSpan duration, string status) => rows.Add((task, duration, status));

    public string Markdown(string title, string? registryUrl)
    {
        var text = new StringBuilder($"## {title}\n\n");
        if (registryUrl is not null)
        {
            text.Append($"Registry: {registryUrl}\n\n");
        }

        text.Append("| Task | Duration | Status |\n| --- | --- | --- |\n");
        foreach (var (task, duration, status) in rows)
        {
            text.Append($"| {task} | {duration:hh\\:mm\\:ss\\.fff} | {status.Replace("|", "\\|", StringComparison.Ordinal)} |\n");
        }

        return text.ToString();
    }
}
