using Cake.Core;

namespace Cake.Frosting;

/// <summary>Setup of a run on Cake's own context.</summary>
public abstract class FrostingSetup : FrostingSetup<ICakeContext>
{
}

/// <summary>Setup of a run, without a teardown.</summary>
public abstract class FrostingSetup<TContext> : IFrostingSetup
    where TContext : ICakeContext
{
    public abstract void Setup(TContext context, ISetupContext info);

    void IFrostingSetup.Setup(ICakeContext context, ISetupContext info)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(info);
        Setup((TContext)context, info);
    }
}
