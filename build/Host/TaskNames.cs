using System.Reflection;

namespace Registry.Build.Host;

/// <summary>A task's name as Frosting registers it: its <see cref="TaskNameAttribute"/>, else its class name.</summary>
public static class TaskNames
{
    public static string Of(Type task) => task.GetCustomAttribute<TaskNameAttribute>()?.Name ?? task.Name;
}
