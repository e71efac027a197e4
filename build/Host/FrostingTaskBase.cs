using Cake.Core;

namespace Registry.Build.Host;

/// <summary>
/// The part <see cref="FrostingTask{TContext}"/> and <see cref="AsyncFrostingTask{TContext}"/> share:
/// the idempotency check and the error and clean-up hooks.
/// </summary>
public abstract class FrostingTaskBase<TContext> : IFrostingTask
    where TContext : ICakeContext
{
    public string? SkipReason { get; private set; }

    /// <summary>
    /// The idempotency check: return <see cref="Skip"/> with the reason when the step is already done.
    /// </summary>
    public virtual bool ShouldRun(TContext context) => true;

    /// <summary>
    /// Called when <c>Run</c> throws. Unlike Cake's own error handlers it cannot swallow the failure:
    /// a step that failed must fail the run, so this is for side effects such as collecting diagnostics.
    /// </summary>
    public virtual void OnError(Exception exception, TContext context)
    {
    }

    /// <summary>Called after <c>Run</c>, whether it succeeded or not.</summary>
    public virtual void Finally(TContext context)
    {
    }

    /// <summary>Says why the task has nothing to do; use as <c>return Skip("...")</c> in <see cref="ShouldRun"/>.</summary>
    protected bool Skip(string reason)
    {
        SkipReason = reason;
        return false;
    }

    private protected abstract Task RunTaskAsync(TContext context);

    bool IFrostingTask.ShouldRun(ICakeContext context)
    {
        SkipReason = null;
        var shouldRun = ShouldRun((TContext)context);
        if (!shouldRun && SkipReason is null)
        {
            SkipReason = "its ShouldRun check returned false";
        }

        return shouldRun;
    }

    Task IFrostingTask.RunAsync(ICakeContext context) => RunTaskAsync((TContext)context);

    void IFrostingTask.OnError(Exception exception, ICakeContext context) => OnError(exception, (TContext)context);

    void IFrostingTask.Finally(ICakeContext context) => Finally((TContext)context);
}
