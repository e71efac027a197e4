using Cake.Core;

namespace Registry.Build.Host;

/// <summary>Runs once before the first task and once after the last, whatever happened in between.</summary>
public interface IFrostingLifetime
{
    void Setup(ICakeContext context, ISetupContext info);

    void Teardown(ICakeContext context, ITeardownContext info);
}

public abstract class FrostingLifetime<TContext> : IFrostingLifetime
    where TContext : ICakeContext
{
    public virtual void Setup(TContext context, ISetupContext info)
    {
    }

    public virtual void Teardown(TContext context, ITeardownContext info)
    {
    }

    void IFrostingLifetime.Setup(ICakeContext context, ISetupContext info) => Setup((TContext)context, info);

    void IFrostingLifetime.Teardown(ICakeContext context, ITeardownContext info) => Teardown((TContext)context, info);
}
