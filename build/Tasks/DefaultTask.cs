using Registry.Build.Host;

namespace Registry.Build.Tasks;

/// <summary>Frosting runs the task named Default when no --target is given: for this pipeline, that is a Deploy.</summary>
[TaskName("Default")]
[TaskDescription("What ./build.sh runs without --target: Deploy.")]
[IsDependentOn(typeof(DeployTask))]
public sealed class DefaultTask : RegistryTask<BuildContext>
{
}
