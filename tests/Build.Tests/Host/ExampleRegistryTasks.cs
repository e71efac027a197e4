using Cake.Core;
using Registry.Build.Host;

namespace Registry.Build.Tests.Host;

// Tasks on our bases; every test host registers these and Frosting's examples alike.

[TaskName("Certify")]
public sealed class CertifyTask(Journal journal) : RegistryTask<FrostingContext>
{
    public override bool ShouldRun(FrostingContext context) => Skip("the certificate is valid for 80 more days");

    public override void Run(FrostingContext context) => journal.Add("Certify");

    public override void Finally(FrostingContext context) => journal.Add("Certify.Finally");
}

[TaskName("Renew")]
[IsDependentOn(typeof(CertifyTask))]
public sealed class RenewTask(Journal journal) : AsyncRegistryTask<FrostingContext>
{
    public override Task RunAsync(FrostingContext context)
    {
        journal.Add("Renew");
        return Task.CompletedTask;
    }
}

[TaskName("Upgrade")]
public sealed class UpgradeTask(Journal journal) : AsyncRegistryTask<FrostingContext>
{
    public override Task RunAsync(FrostingContext context) => throw new InvalidOperationException("image not found");

    public override void OnError(Exception exception, FrostingContext context) => journal.Add("Upgrade.OnError: " + exception.Message);

    public override void Finally(FrostingContext context) => journal.Add("Upgrade.Finally");
}

[TaskName("Notify")]
[IsDependentOn(typeof(UpgradeTask))]
public sealed class NotifyTask(Journal journal) : RegistryTask<FrostingContext>
{
    public override void Run(FrostingContext context) => journal.Add("Notify");
}

[TaskName("Refuse")]
public sealed class RefuseTask : RegistryTask<FrostingContext>
{
    public override void Run(FrostingContext context) => throw new CakeException(2, "replicas: '0' is not allowed; expected 1 or more");
}

[TaskName("Inspect")]
public sealed class InspectTask(Journal journal) : RegistryTask<FrostingContext>
{
    public override bool ShouldRun(FrostingContext context)
    {
        journal.Add("Inspect.ShouldRun");
        return true;
    }
}

/// <summary>A context that knows a dry run, as the pipeline's does.</summary>
public sealed class DryRunAwareContext(ICakeContext context) : FrostingContext(context), IDryRunContext
{
    public bool IsDryRun { get; set; }
}

public sealed class DryRunMarkingSetup(RunScope scope) : FrostingSetup<DryRunAwareContext>
{
    public override void Setup(DryRunAwareContext context, ISetupContext info) => context.IsDryRun = scope.IsDryRun;
}

[TaskName("Shrug")]
public sealed class ShrugTask(Journal journal, RunCancellation cancellation) : RegistryTask<FrostingContext>
{
    // A step that finishes its work although Ctrl-C came while it ran.
    public override void Run(FrostingContext context)
    {
        cancellation.Cancel();
        journal.Add("Shrug");
    }
}

[TaskName("Proceed")]
[IsDependentOn(typeof(ShrugTask))]
public sealed class ProceedTask(Journal journal) : RegistryTask<FrostingContext>
{
    public override void Run(FrostingContext context) => journal.Add("Proceed");
}

[TaskName("Wait")]
public sealed class WaitTask(Journal journal, RunCancellation cancellation) : AsyncRegistryTask<FrostingContext>
{
    public override async Task RunAsync(FrostingContext context)
    {
        journal.Add("Wait started");
        // As a Ctrl-C during the step would.
        cancellation.Cancel();
        await Task.Delay(Timeout.Infinite, cancellation.Token);
    }
}
