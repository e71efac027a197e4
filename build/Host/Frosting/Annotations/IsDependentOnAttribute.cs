namespace Cake.Frosting;

/// <summary>The task runs after <see cref="Task"/>; among siblings, the order of the attributes is the order of execution.</summary>
[AttributeUsage(AttributeTargets.Class, AllowMultiple = true)]
public sealed class IsDependentOnAttribute(Type type) : Attribute, ITaskDependency
{
    public Type Task { get; } = type;
}
