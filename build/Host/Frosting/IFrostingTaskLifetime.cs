using Cake.Core;

namespace Cake.Frosting;

/// <summary>Runs before each task; when it fails the task does not run, and the task's teardown still does.</summary>
public interface IFrostingTaskSetup
{
    void Setup(ICakeContext context, ITaskSetupContext info);
}

/// <summary>Runs after each task, however it ended.</summary>
public interface IFrostingTaskTeardown
{
    void Teardown(ICakeContext context, ITaskTeardownContext info);
}

/// <summary>A task setup and a task teardown in one class.</summary>
public interface IFrostingTaskLifetime : IFrostingTaskSetup, IFrostingTaskTeardown
{
}
