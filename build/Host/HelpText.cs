using Cake.Core;

namespace Registry.Build.Host;

internal static class HelpText
{
    public static void Write(IConsole console, IReadOnlyList<TaskInfo> tasks, string defaultTarget, IHelpSection? section)
    {
        console.WriteLine("Usage: build.sh [--target=TASK] [options] [--setting=value ...]");
        console.WriteLine(string.Empty);
        console.WriteLine("Options:");
        console.WriteLine($"  --target=TASK, -t TASK   the task to run with everything it depends on (default {defaultTarget})");
        console.WriteLine("  --verbosity=LEVEL, -v    quiet, minimal, normal (default), verbose or diagnostic");
        console.WriteLine("  --dryrun                 show the tasks the target would run, and run none");
        console.WriteLine("  --exclusive, -e          run the target alone, without its dependencies");
        console.WriteLine("  --tree                   show the task graph");
        console.WriteLine("  --description            show every task with its description");
        console.WriteLine("  --version                show the pipeline's version");
        console.WriteLine("  --help, -h               show this help");
        console.WriteLine(string.Empty);
        console.WriteLine("Tasks:");
        var width = tasks.Max(task => task.Name.Length);
        foreach (var task in tasks.OrderBy(task => task.Name, StringComparer.Ordinal))
        {
            console.WriteLine($"  {task.Name.PadRight(width)}  {task.Description}");
        }

        if (section is not null)
        {
            console.WriteLine(string.Empty);
            section.Write(console);
        }
    }
}
