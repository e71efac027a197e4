using System.Reflection;
using Cake.Core;
using Registry.Build.Host;

namespace Registry.Build.Tasks;

/// <summary>
/// What a step whose work is not in this version of the pipeline yet throws, so that a run that needs it
/// fails loudly instead of reporting a success it did not earn.
/// </summary>
public static class StepNotAvailable
{
    public static CakeException Error(IFrostingTask task, int issue, string? what = null)
    {
        var type = task.GetType();
        what ??= type.GetCustomAttribute<TaskDescriptionAttribute>()?.Description.TrimEnd('.');
        return new CakeException(
            $"{TaskInfo.NameOf(type)} is not available yet in this version of the pipeline ({what}; planned in issue #{issue}). " +
            "Nothing was changed by this step.");
    }
}
