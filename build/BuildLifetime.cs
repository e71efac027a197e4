using Cake.Core;
using Registry.Build.Host;
using Registry.Build.Settings;
using Registry.Build.Tasks;

namespace Registry.Build;

/// <summary>Stops a run with bad settings before its first task, so nothing reaches a cluster.</summary>
public sealed class BuildLifetime : FrostingLifetime<BuildContext>
{
    public override void Setup(BuildContext context, ISetupContext info)
    {
        var deploying = info.TasksToExecute.Any(task => task.Name == TaskInfo.NameOf(typeof(ValidateTask)));
        var onlySmokeTest = info.TasksToExecute.Select(task => task.Name).SequenceEqual([TaskInfo.NameOf(typeof(SmokeTestTask))]);
        var problems = context.SettingsProblems
            .Concat(SettingsValidator.Validate(context.Settings, deploying || onlySmokeTest, onlySmokeTest))
            .ToList();
        if (problems.Count > 0)
        {
            throw new CakeException(
                CakeHost.UsageErrorExitCode,
                $"The settings have {problems.Count} problem{(problems.Count == 1 ? string.Empty : "s")}; nothing was run:"
                + string.Concat(problems.Select(problem => Environment.NewLine + "  " + problem)));
        }
    }
}
