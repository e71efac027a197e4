using Registry.Build.Host;

namespace Registry.Build.Tasks;

[TaskName("Deploy")]
[TaskDescription("Stand up the registry end to end: every step of the guide, in order.")]
[IsDependentOn(typeof(SmokeTestTask))]
public sealed class DeployTask : RegistryTask<BuildContext>
{
}
