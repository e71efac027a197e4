namespace Cake.Frosting;

internal interface ITaskDependency
{
    Type Task { get; }
}
