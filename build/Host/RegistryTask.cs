using System.Runtime.ExceptionServices;
using Cake.Core;

namespace Registry.Build.Host;

/// <summary>
/// A synchronous step: Frosting's task, plus <see cref="Skip"/> with a reason, a target that is already done
/// succeeding, and an <c>OnError</c> that does not end the failure (a failed step must fail the run; the hook is for
/// side effects such as collecting diagnostics). These differ from Frosting on purpose and live only here.
/// </summary>
public abstract class RegistryTask<TContext> : FrostingTask<TContext>, IFrostingTask, ISkippingTask
    where TContext : ICakeContext
{
    private readonly SkipCheck skip = new();

    public string? SkipReason => skip.Reason;

    /// <summary>Says why the step has nothing to do; use as <c>return Skip("...")</c> in <c>ShouldRun</c>.</summary>
    protected bool Skip(string reason) => skip.Skip(reason);

    bool IFrostingTask.ShouldRun(ICakeContext context) => skip.ShouldRun(GetType(), context, () => ShouldRun((TContext)context));

    Task IFrostingTask.RunAsync(ICakeContext context)
    {
        if (!skip.SkippedAsTarget)
        {
            Run((TContext)context);
        }

        return Task.CompletedTask;
    }

    void IFrostingTask.OnError(Exception exception, ICakeContext context)
    {
        ErrorHook.Call(() => OnError(exception, (TContext)context), GetType(), context);
        ExceptionDispatchInfo.Throw(exception);
    }

    void IFrostingTask.Finally(ICakeContext context)
    {
        if (!skip.SkippedAsTarget)
        {
            Finally((TContext)context);
        }
    }
}
