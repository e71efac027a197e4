namespace Cake.Frosting;

/// <summary>The line <c>--description</c> shows for the task.</summary>
[AttributeUsage(AttributeTargets.Class, Inherited = false)]
public sealed class TaskDescriptionAttribute(string description) : Attribute
{
    public string Description { get; } = description;
}
