using Cake.Core;

namespace Cake.Frosting;

/// <summary>What runs after every task, on Cake's own context.</summary>
public abstract class FrostingTaskTeardown : FrostingTaskTeardown<ICakeContext>
{
}

/// <summary>What runs after every task.</summary>
public abstract class FrostingTaskTeardown<TContext> : IFrostingTaskTeardown
    where TContext : ICakeContext
{
    public abstract void Teardown(TContext context, ITaskTeardownContext info);

    void IFrostingTaskTeardown.Teardown(ICakeContext context, ITaskTeardownContext info)
    {
        ArgumentNullException.ThrowIfNull(context);
        Teardown((TContext)context, info);
    }
}
