namespace Registry.Build.Host;

/// <summary>The task runs after <see cref="Task"/>; declaration order is execution order among siblings.</summary>
[AttributeUsage(AttributeTargets.Class, AllowMultiple = true)]
public sealed class IsDependentOnAttribute(Type task) : Attribute
{
    public Type Task { get; } = task;
}
