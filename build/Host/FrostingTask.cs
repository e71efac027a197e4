using Cake.Core;

namespace Registry.Build.Host;

/// <summary>A synchronous step of the pipeline.</summary>
public abstract class FrostingTask<TContext> : FrostingTaskBase<TContext>
    where TContext : ICakeContext
{
    public virtual void Run(TContext context)
    {
    }

    private protected sealed override Task RunTaskAsync(TContext context)
    {
        Run(context);
        return Task.CompletedTask;
    }
}

/// <summary>A task with no work of its own: a target that names what it depends on.</summary>
public abstract class FrostingTask : FrostingTask<ICakeContext>
{
}
