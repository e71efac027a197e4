using System.Runtime.ExceptionServices;
using Cake.Core;

namespace Registry.Build.Host;

/// <summary>A step whose work awaits I/O (the cluster, the registry, a process); adds to Frosting what <see cref="RegistryTask{TContext}"/> adds.</summary>
public abstract class AsyncRegistryTask<TContext> : AsyncFrostingTask<TContext>, IFrostingTask, ISkippingTask
    where TContext : ICakeContext
{
    private readonly SkipCheck skip = new();

    public string? SkipReason => skip.Reason;

    /// <summary>Says why the step has nothing to do; use as <c>return Skip("...")</c> in <c>ShouldRun</c>.</summary>
    protected bool Skip(string reason) => skip.Skip(reason);

    bool IFrostingTask.ShouldRun(ICakeContext context) => skip.ShouldRun(GetType(), context, () => ShouldRun((TContext)context));

    Task IFrostingTask.RunAsync(ICakeContext context) => skip.SkippedAsTarget ? Task.CompletedTask : RunAsync((TContext)context);

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
