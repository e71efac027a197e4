namespace Registry.Build.Host;

/// <summary>One line shown by <c>--description</c> and <c>--tree</c>.</summary>
[AttributeUsage(AttributeTargets.Class)]
public sealed class TaskDescriptionAttribute(string description) : Attribute
{
    public string Description { get; } = description;
}
