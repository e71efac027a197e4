using Cake.Core;

namespace Cake.Frosting;

/// <summary>Teardown of a run on Cake's own context.</summary>
public abstract class FrostingTeardown : FrostingTeardown<ICakeContext>
{
}

/// <summary>Teardown of a run, without a setup.</summary>
public abstract class FrostingTeardown<TContext> : IFrostingTeardown
    where TContext : ICakeContext
{
    public abstract void Teardown(TContext context, ITeardownContext info);

    void IFrostingTeardown.Teardown(ICakeContext context, ITeardownContext info)
    {
        ArgumentNullException.ThrowIfNull(context);
        Teardown((TContext)context, info);
    }
}
