using System.Net;
using Cake.Core;
using Cake.Core.Diagnostics;
using k8s;
using k8s.Models;
using Registry.Build.Kubernetes;
using Registry.Build.Registry.Oci;
using Registry.Build.State;
using Registry.Build.Tasks;

namespace Registry.Build.Registry;

/// <summary>
/// Switches the registry between read-write and read-only (storage.maintenance.readonly) by applying its config and
/// Deployment from one of two desired states, and waits until the pods that serve it run that config. While it is
/// read-only, pushes and deletes are refused and pulls are served (on a ReadWriteOnce claim, each switch restarts the
/// one pod, so pulls pause while it starts).
/// </summary>
public sealed class ReadOnlyWindow(KubernetesApi api, ICakeLog log, TimeSpan pollInterval)
{
    /// <summary>
    /// Stops unless the registry is deployed as <paramref name="state"/> declares it (or as <paramref name="readOnly"/>,
    /// left so by a run that was stopped): a switch must not carry other changes along.
    /// </summary>
    public async Task CheckDeployedAsync(DesiredState state, DesiredState readOnly, string ns, CancellationToken cancellationToken)
    {
        var applier = new ObjectApplier(api, log);
        var workload = ResourceAddress.For<V1Deployment>(ns, Declaration.WorkloadName);
        if (await api.GetAsync(workload, cancellationToken) is null)
        {
            throw new CakeException($"{workload} does not exist: there is no registry to collect garbage in. Deploy it first.");
        }

        var asDeclared = await PlansAsync(applier, state, cancellationToken);
        var asReadOnly = await PlansAsync(applier, readOnly, cancellationToken);
        if (asDeclared.Any(plan => plan.Action != ApplyAction.Unchanged) && asReadOnly.Any(plan => plan.Action != ApplyAction.Unchanged))
        {
            var differ = asDeclared.Where(plan => plan.Action != ApplyAction.Unchanged).Select(plan => plan.ToString().Replace(": updated ", " differs in ", StringComparison.Ordinal));
            throw new CakeException(
                $"The registry is not deployed as these settings declare it ({string.Join("; ", differ)}). GarbageCollect changes only read-only and back: " +
                "run Deploy with these settings first (or give GarbageCollect the settings it was deployed with).");
        }
    }

    /// <summary>Applies the registry's config and Deployment from <paramref name="state"/> and waits for the rollout.</summary>
    public async Task SwitchAsync(DesiredState state, TimeSpan timeout, CancellationToken cancellationToken)
    {
        var applier = new ObjectApplier(api, log);
        foreach (var item in Switched(state))
        {
            await applier.ApplyAsync(item, cancellationToken);
        }

        var deployment = ResourceAddress.Of(Switched(state).OfType<V1Deployment>().Single());
        await new ReadinessWaiter(api, log, pollInterval).WaitAsync(deployment, Readiness.RolledOut, timeout, cancellationToken);
    }

    /// <summary>
    /// Waits until a push is refused with distribution's read-only answer (405 on the upload): the ingress may still
    /// send a request or two to a pod on its way out.
    /// </summary>
    public async Task WaitUntilPushesRefusedAsync(RegistryClient client, TimeSpan timeout, CancellationToken cancellationToken)
    {
        var started = DateTimeOffset.UtcNow;
        var last = "no answer";
        while (true)
        {
            try
            {
                var status = await client.ProbeUploadAsync(ProbeRepository, cancellationToken);
                if (status == HttpStatusCode.MethodNotAllowed)
                {
                    log.Information("The registry is read-only: a push is refused (405 on POST /v2/…/blobs/uploads/), pulls are served.");
                    return;
                }

                if (status == HttpStatusCode.Unauthorized)
                {
                    throw new CakeException("The registry refused the run's login (401) while checking that it is read-only: the password given is not the one its htpasswd holds.");
                }

                last = $"{(int)status} {status}";
            }
            catch (HttpRequestException exception)
            {
                last = exception.Message;
            }

            if (DateTimeOffset.UtcNow - started > timeout)
            {
                throw new CakeException($"The registry still takes pushes after its read-only rollout (last answer to a push: {last}), within wait-timeout. Nothing was collected.");
            }

            await Task.Delay(pollInterval, cancellationToken);
        }
    }

    /// <summary>The repository the read-only check opens (and at once cancels) an upload in.</summary>
    public const string ProbeRepository = "registry-pipeline/read-only-check";

    private static IEnumerable<IKubernetesObject<V1ObjectMeta>> Switched(DesiredState state) =>
        state.Of<RegistryConfigTask>().Concat(state.Of<WorkloadTask>().OfType<V1Deployment>());

    private static async Task<List<ApplyResult>> PlansAsync(ObjectApplier applier, DesiredState state, CancellationToken cancellationToken)
    {
        var plans = new List<ApplyResult>();
        foreach (var item in Switched(state))
        {
            plans.Add(await applier.PlanAsync(item, cancellationToken));
        }

        return plans;
    }
}
