namespace Cake.Frosting;

/// <summary>A failure of the task is logged and the run goes on.</summary>
[AttributeUsage(AttributeTargets.Class, Inherited = false)]
public sealed class ContinueOnErrorAttribute : Attribute
{
}
