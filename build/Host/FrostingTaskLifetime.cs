using Cake.Core;

namespace Registry.Build.Host;

/// <summary>Runs around every task, as Frosting's task lifetime does: before it starts and after it ends, however it ended.</summary>
public interface IFrostingTaskLifetime
{
    void Setup(ICakeContext context, ITaskSetupContext info);

    void Teardown(ICakeContext context, ITaskTeardownContext info);
}

public abstract class FrostingTaskLifetime<TContext> : IFrostingTaskLifetime
    where TContext : ICakeContext
{
    public virtual void Setup(TContext context, ITaskSetupContext info)
    {
    }

    public virtual void Teardown(TContext context, ITaskTeardownContext info)
    {
    }

    void IFrostingTaskLifetime.Setup(ICakeContext context, ITaskSetupContext info) => Setup((TContext)context, info);

    void IFrostingTaskLifetime.Teardown(ICakeContext context, ITaskTeardownContext info) => Teardown((TContext)context, info);
}
