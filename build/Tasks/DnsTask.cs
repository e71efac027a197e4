using Cake.Common.Diagnostics;
using Cake.Core;
using Registry.Build.Host;
using Registry.Build.Prerequisites;

namespace Registry.Build.Tasks;

[TaskName("Dns")]
[TaskDescription("Check that host resolves to the ingress controller's address (guide step 3).")]
[IsDependentOn(typeof(GatewayControllerTask))]
public sealed class DnsTask(ClusterPrerequisites prerequisites, HostResolver resolver) : RegistryTask<BuildContext>
{
    private DnsCheck? check;

    public override bool ShouldRun(BuildContext context)
    {
        var settings = context.Settings;
        if (settings.HostIsAddress)
        {
            return Skip($"host {settings.Host} is an IP address: there is no name to resolve");
        }

        if (settings.Exposure == Settings.Exposure.Gateway)
        {
            return Skip("exposure is gateway: the Gateway step compares host with the Gateway's address before an ACME certificate, the HttpRoute step once the route is accepted");
        }

        var controller = prerequisites.IngressControllerAsync(settings.IngressClass, context.Cancellation).GetAwaiter().GetResult();
        check = DnsCheck.RunAsync(settings.Host!, controller, resolver, context.Cancellation).GetAwaiter().GetResult();
        return !check.Matches || Skip(check.Describe());
    }

    // Let's Encrypt's http01 challenge reaches the registry through this record; without it the
    // certificate would hang until wait-timeout, so with ACME the run stops here instead.
    public override void Run(BuildContext context)
    {
        if (context.Settings.UsesAcme && context.Settings.RequireDns)
        {
            throw new CakeException(
                $"{check!.Describe()}. Let's Encrypt must reach {check.Host} over this record before it issues a certificate; " +
                "create it and run again, or set require-dns=false to request the certificate anyway.");
        }

        var warning = check!.Describe() + ".";
        context.Warning(warning);
    }
}
