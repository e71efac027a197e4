using Cake.Core;

namespace Cake.Frosting;

/// <summary>A synchronous task on Cake's own context.</summary>
public abstract class FrostingTask : FrostingTask<ICakeContext>
{
}

/// <summary>
/// A synchronous task. Only what a task overrides is registered with Cake's engine: <see cref="ShouldRun"/> as a
/// criteria (a target whose criteria says no fails the run), <see cref="OnError"/> as an error handler (which,
/// as Cake's handlers do, ends the failure), <see cref="Finally"/> as a finally handler.
/// </summary>
public abstract class FrostingTask<T> : IFrostingTask
    where T : ICakeContext
{
    public virtual void Run(T context)
    {
    }

    public virtual bool ShouldRun(T context) => true;

    public virtual void OnError(Exception exception, T context)
    {
    }

    public virtual void Finally(T context)
    {
    }

    Task IFrostingTask.RunAsync(ICakeContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        Run((T)context);
        return Task.CompletedTask;
    }

    bool IFrostingTask.ShouldRun(ICakeContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        return ShouldRun((T)context);
    }

    void IFrostingTask.OnError(Exception exception, ICakeContext context)
    {
        ArgumentNullException.ThrowIfNull(exception);
        ArgumentNullException.ThrowIfNull(context);
        OnError(exception, (T)context);
    }

    void IFrostingTask.Finally(ICakeContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        Finally((T)context);
    }
}
