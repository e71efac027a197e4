namespace Registry.Build.Host;

/// <summary>The name a task is known by on the command line (<c>--target=Name</c>) and in the report.</summary>
[AttributeUsage(AttributeTargets.Class)]
public sealed class TaskNameAttribute(string name) : Attribute
{
    public string Name { get; } = name;
}
