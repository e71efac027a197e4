using Registry.Build.Host;

namespace Registry.Build.Tasks;

[TaskName("Credentials")]
[TaskDescription("Write the htpasswd Secret of bcrypt hashes, keeping a hash that still matches (guide step 7).")]
[IsDependentOn(typeof(NamespaceTask))]
public sealed class CredentialsTask : FrostingTask<BuildContext>
{
    public override void Run(BuildContext context) => throw StepNotAvailable.Error(this, issue: 5);
}
