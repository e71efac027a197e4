using System.Reflection;
using Cake.Core;
using Cake.Core.Diagnostics;
using Cake.Core.Scripting;

namespace Cake.Frosting.Internal;

/// <summary>
/// Registers the task classes with Cake's engine, with the lifetime around them, and runs the targets through a
/// script host. Only what a task class overrides becomes part of its Cake task, so a task without <c>Run</c> is a
/// pure dependency node and one without <c>ShouldRun</c> has no criteria.
/// </summary>
internal sealed class TaskGraph(
    IScriptHost host,
    ICakeEngine engine,
    IFrostingContext context,
    ICakeLog log,
    IEnumerable<IFrostingTask> tasks,
    IFrostingSetup? setup,
    IFrostingTeardown? teardown,
    IFrostingTaskSetup? taskSetup,
    IFrostingTaskTeardown? taskTeardown)
{
    public ExecutionSettings Settings => host.Settings;

    public CakeReport Run(IEnumerable<string> targets)
    {
        foreach (var task in tasks)
        {
            Register(task);
        }

        if (setup is not null)
        {
            log.Debug("Registering setup: {0}", setup.GetType().Name);
            engine.RegisterSetupAction(info => setup.Setup(context, info));
        }

        if (teardown is not null)
        {
            log.Debug("Registering teardown: {0}", teardown.GetType().Name);
            engine.RegisterTeardownAction(info => teardown.Teardown(context, info));
        }

        if (taskSetup is not null)
        {
            log.Debug("Registering task setup: {0}", taskSetup.GetType().Name);
            engine.RegisterTaskSetupAction(info => taskSetup.Setup(context, info));
        }

        if (taskTeardown is not null)
        {
            log.Debug("Registering task teardown: {0}", taskTeardown.GetType().Name);
            engine.RegisterTaskTeardownAction(info => taskTeardown.Teardown(context, info));
        }

        return host.RunTargets(targets);
    }

    private void Register(IFrostingTask task)
    {
        var type = task.GetType();
        var name = NameOf(type);
        log.Debug("Registering task: {0}", name);
        var contextType = ContextTypeOf(type);
        if (!contextType.IsInstanceOfType(context))
        {
            log.Warning("Task cannot be used since the context isn't convertible to {0}.", contextType.FullName);
            return;
        }

        var builder = engine.RegisterTask(name);
        if (type.GetCustomAttribute<TaskDescriptionAttribute>()?.Description is { } description && !string.IsNullOrWhiteSpace(description))
        {
            builder.Description(description);
        }

        var contextArgument = context.GetType();
        if (Overrides(type, IsSynchronous(type) ? nameof(FrostingTask.Run) : nameof(AsyncFrostingTask.RunAsync), contextArgument))
        {
            builder.Does(task.RunAsync);
        }

        if (Overrides(type, nameof(IFrostingTask.ShouldRun), contextArgument))
        {
            builder.WithCriteria(task.ShouldRun, task.SkippedMessage);
        }

        if (type.GetCustomAttribute<ContinueOnErrorAttribute>() is not null)
        {
            builder.ContinueOnError();
        }

        if (Overrides(type, nameof(IFrostingTask.OnError), typeof(Exception), contextArgument))
        {
            builder.OnError(exception => task.OnError(exception, context));
        }

        if (Overrides(type, nameof(IFrostingTask.Finally), contextArgument))
        {
            builder.Finally(() => task.Finally(context));
        }

        foreach (var dependency in type.GetCustomAttributes<IsDependentOnAttribute>())
        {
            builder.IsDependentOn(TaskName(dependency.Task, "dependency"));
        }

        foreach (var dependee in type.GetCustomAttributes<IsDependeeOfAttribute>())
        {
            builder.IsDependeeOf(TaskName(dependee.Task, "reverse dependency"));
        }
    }

    private static string NameOf(Type type) => type.GetCustomAttribute<TaskNameAttribute>()?.Name ?? type.Name;

    private static string TaskName(Type type, string relation) => typeof(IFrostingTask).IsAssignableFrom(type)
        ? NameOf(type)
        : throw new FrostingException($"The {relation} '{NameOf(type)}' is not a valid task.");

    // The context type of a task that derives directly from one of the generic bases; any other task takes Cake's context.
    private static Type ContextTypeOf(Type type) => type.BaseType is { IsConstructedGenericType: true } generic
        && (generic.GetGenericTypeDefinition() == typeof(FrostingTask<>) || generic.GetGenericTypeDefinition() == typeof(AsyncFrostingTask<>))
            ? generic.GenericTypeArguments[0]
            : typeof(ICakeContext);

    private static bool IsSynchronous(Type type)
    {
        for (var current = type; current is not null; current = current.BaseType)
        {
            if (current.IsGenericType && current.GetGenericTypeDefinition() == typeof(FrostingTask<>))
            {
                return true;
            }

            if (current.IsGenericType && current.GetGenericTypeDefinition() == typeof(AsyncFrostingTask<>))
            {
                return false;
            }
        }

        throw new InvalidOperationException(
            $"This method expects all {nameof(IFrostingTask)} to be instances of {nameof(FrostingTask)} or {nameof(AsyncFrostingTask)}.");
    }

    private static bool Overrides(Type type, string method, params Type[] parameters) =>
        type.GetMethod(method, parameters) is { } found && found.GetBaseDefinition().DeclaringType != found.DeclaringType;
}
