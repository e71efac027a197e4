using Cake.Core;
using Cake.Core.Diagnostics;

namespace Registry.Build.Host;

/// <summary>
/// Cake's execution strategy, with Ctrl-C honoured at every step boundary: a step that finished its work although
/// Ctrl-C came while it ran does not let the next one start. (The engine's events cannot stop a run: it logs what
/// their handlers throw and goes on.)
/// </summary>
public sealed class StoppableExecutionStrategy(ICakeLog log, ICakeReportPrinter printer, RunCancellation cancellation) : IExecutionStrategy
{
    private readonly DefaultExecutionStrategy inner = new(log, printer);

    public Task ExecuteAsync(CakeTask task, ICakeContext context)
    {
        cancellation.Token.ThrowIfCancellationRequested();
        return inner.ExecuteAsync(task, context);
    }

    public void PerformSetup(Action<ISetupContext> action, ISetupContext context) => inner.PerformSetup(action, context);

    public void PerformTeardown(Action<ITeardownContext> action, ITeardownContext teardownContext) => inner.PerformTeardown(action, teardownContext);

    public void Skip(CakeTask task, CakeTaskCriteria criteria) => inner.Skip(task, criteria);

    public Task ReportErrorsAsync(Func<Exception, Task> action, Exception exception) => inner.ReportErrorsAsync(action, exception);

    public Task HandleErrorsAsync(Func<Exception, ICakeContext, Task> action, Exception exception, ICakeContext context) =>
        inner.HandleErrorsAsync(action, exception, context);

    public Task InvokeFinallyAsync(Func<ICakeContext, Task> action, ICakeContext context) => inner.InvokeFinallyAsync(action, context);

    public void PerformTaskSetup(Action<ITaskSetupContext> action, ITaskSetupContext taskSetupContext) => inner.PerformTaskSetup(action, taskSetupContext);

    public void PerformTaskTeardown(Action<ITaskTeardownContext> action, ITaskTeardownContext taskTeardownContext) =>
        inner.PerformTaskTeardown(action, taskTeardownContext);
}
