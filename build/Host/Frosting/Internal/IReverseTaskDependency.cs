namespace Cake.Frosting;

internal interface IReverseTaskDependency
{
    Type Task { get; }
}
