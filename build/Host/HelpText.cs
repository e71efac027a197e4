using Cake.Core;

namespace Registry.Build.Host;

/// <summary>What <c>--help</c> adds after Frosting's options: the tasks a target can name, and the application's own section (its settings).</summary>
internal static class HelpText
{
    public static void Write(IConsole console, IReadOnlyList<Type> tasks, IHelpSection? section)
    {
        console.WriteLine(string.Empty);
        console.WriteLine("TASKS (--target=NAME; with none, Default):");
        var named = tasks
            .Select(task => (Name: TaskNames.Of(task), Description: TaskDescriptionOf(task)))
            .OrderBy(task => task.Name, StringComparer.Ordinal)
            .ToList();
        var width = named.Select(task => task.Name.Length).DefaultIfEmpty(0).Max();
        foreach (var (name, description) in named)
        {
            console.WriteLine($"    {name.PadRight(width)}  {description}");
        }

        if (section is not null)
        {
            console.WriteLine(string.Empty);
            section.Write(console);
        }
    }

    private static string TaskDescriptionOf(Type task) =>
        (task.GetCustomAttributes(typeof(TaskDescriptionAttribute), false).FirstOrDefault() as TaskDescriptionAttribute)?.Description ?? string.Empty;
}
