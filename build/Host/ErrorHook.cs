using Cake.Core;
using Cake.Core.Diagnostics;

namespace Registry.Build.Host;

/// <summary>Runs a task's error hook so that its own failure is said and never replaces the task's.</summary>
internal static class ErrorHook
{
    public static void Call(Action hook, Type task, ICakeContext context)
    {
        try
        {
            hook();
        }
        catch (Exception failure)
        {
            context.Log.Warning("{0}: its error hook failed too: {1}", TaskNames.Of(task), failure.Message);
        }
    }
}
