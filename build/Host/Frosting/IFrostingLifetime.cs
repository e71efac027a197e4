using Cake.Core;

namespace Cake.Frosting;

/// <summary>Runs before the first task; when it fails no task runs, and the teardown still does.</summary>
public interface IFrostingSetup
{
    void Setup(ICakeContext context, ISetupContext info);
}

/// <summary>Runs after the last task, whatever happened before.</summary>
public interface IFrostingTeardown
{
    void Teardown(ICakeContext context, ITeardownContext info);
}

/// <summary>A setup and a teardown in one class.</summary>
public interface IFrostingLifetime : IFrostingSetup, IFrostingTeardown
{
}
