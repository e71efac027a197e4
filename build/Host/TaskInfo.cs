using System.Reflection;

namespace Registry.Build.Host;

/// <summary>What the attributes on a task class say about it.</summary>
internal sealed record TaskInfo(Type Type, string Name, string Description, IReadOnlyList<string> Dependencies)
{
    public static TaskInfo Of(Type type) => new(
        type,
        NameOf(type),
        type.GetCustomAttribute<TaskDescriptionAttribute>()?.Description ?? string.Empty,
        type.GetCustomAttributes<IsDependentOnAttribute>().Select(dependency => NameOf(dependency.Task)).ToList());

    /// <summary>The <see cref="TaskNameAttribute"/>, else the class name without its "Task" suffix.</summary>
    public static string NameOf(Type type)
    {
        if (type.GetCustomAttribute<TaskNameAttribute>() is { } attribute)
        {
            return attribute.Name;
        }

        return type.Name.EndsWith("Task", StringComparison.Ordinal) && type.Name.Length > 4
            ? type.Name[..^4]
            : type.Name;
    }
}
