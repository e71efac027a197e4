namespace Cake.Frosting;

/// <summary>The reverse of <see cref="IsDependentOnAttribute"/>: <see cref="Task"/> runs after this task.</summary>
[AttributeUsage(AttributeTargets.Class, AllowMultiple = true)]
public sealed class IsDependeeOfAttribute(Type type) : Attribute, IReverseTaskDependency
{
    public Type Task { get; } = type;
}
