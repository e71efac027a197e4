using Cake.Core;

namespace Registry.Build.Host;

/// <summary>A step of the pipeline whose work awaits I/O (the cluster, the registry, a process).</summary>
public abstract class AsyncFrostingTask<TContext> : FrostingTaskBase<TContext>
    where TContext : ICakeContext
{
    public virtual Task RunAsync(TContext context) => Task.CompletedTask;

    private protected sealed override Task RunTaskAsync(TContext context) => RunAsync(context);
}
