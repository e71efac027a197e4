using Registry.Build.Host;

namespace Registry.Build.Tasks;

[TaskName("RegistryConfig")]
[TaskDescription("Write the registry's config.yml ConfigMap (guide step 8).")]
[IsDependentOn(typeof(CredentialsTask))]
public sealed class RegistryConfigTask : FrostingTask<BuildContext>
{
    public override void Run(BuildContext context) => throw StepNotAvailable.Error(this, issue: 5);
}
