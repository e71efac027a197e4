using Cake.Core;

namespace Cake.Frosting;

/// <summary>What runs before every task, on Cake's own context.</summary>
public abstract class FrostingTaskSetup : FrostingTaskSetup<ICakeContext>
{
}

/// <summary>What runs before every task.</summary>
public abstract class FrostingTaskSetup<TContext> : IFrostingTaskSetup
    where TContext : ICakeContext
{
    public abstract void Setup(TContext context, ITaskSetupContext info);

    void IFrostingTaskSetup.Setup(ICakeContext context, ITaskSetupContext info)
    {
        ArgumentNullException.ThrowIfNull(context);
        Setup((TContext)context, info);
    }
}
