namespace Cake.Frosting;

/// <summary>The name a task is known by on the command line and in the report; without it, the class name.</summary>
[AttributeUsage(AttributeTargets.Class, Inherited = false)]
public sealed class TaskNameAttribute(string name) : Attribute
{
    public string Name { get; } = name;
}
