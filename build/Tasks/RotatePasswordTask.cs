using Cake.Common.Diagnostics;
using Cake.Core;
using k8s.Models;
using Registry.Build.Host;
using Registry.Build.Kubernetes;
using Registry.Build.Registry;
using Registry.Build.State;

namespace Registry.Build.Tasks;

[TaskName("RotatePassword")]
[TaskDescription("Give user a new password (generated, or the one given) without restarting the registry: the htpasswd, the kept password and the pull secrets are rewritten, and the run waits until the registry takes it.")]
[WritesToCluster]
public sealed class RotatePasswordTask(ClusterConnector connector, RunDesiredState desired, WaitPolling polling) : AsyncRegistryTask<BuildContext>
{
    public override async Task RunAsync(BuildContext context)
    {
        var settings = context.Settings;
        if (settings.Users is not null)
        {
            throw new CakeException("users-file gives every user's password: change it in the file and run Deploy, which rewrites the htpasswd the same way, without a restart.");
        }

        var api = (await connector.ConnectAsync(context.Cancellation)).Api;
        var htpasswd = ResourceAddress.For<V1Secret>(settings.Namespace, RegistryCredentials.HtpasswdSecret);
        if (await api.GetAsync(htpasswd, context.Cancellation) is null)
        {
            throw new CakeException($"{htpasswd} does not exist: there is no registry password to rotate. Deploy it first.");
        }

        // Pull secrets the pipeline wrote elsewhere would keep the old password and fail every new pull.
        var applySet = new Inventory.ApplySet(settings.Namespace);
        var recorded = new List<string>();
        foreach (var ns in Inventory.ApplySet.NamespacesOf(await api.GetAsync(applySet.ParentAddress, context.Cancellation)).Except(settings.PullSecretNamespaces))
        {
            if (applySet.IsMember(await api.GetAsync(ResourceAddress.For<V1Secret>(ns, settings.PullSecretName), context.Cancellation)))
            {
                recorded.Add(ns);
            }
        }

        if (recorded.Count > 0)
        {
            throw new CakeException(
                $"This registry's pull secrets are in {string.Join(", ", recorded)}, which pull-secret-namespaces does not name: they would keep the old password. " +
                "Run RotatePassword with the pull-secret-namespaces the registry was deployed with.");
        }

        var rotated = await desired.RotatedAsync(context);
        var login = rotated.Credentials.Login!;
        var applier = new ObjectApplier(api, context.Log);
        // Secrets only: the pods keep running and read the new htpasswd from their mount. The kept password first, so
        // a run stopped half-way never leaves a new password that only this run's memory knew; the pull secrets last,
        // once the registry takes it.
        var credentials = rotated.Of<CredentialsTask>().OrderBy(item => item.Metadata.Name == RegistryCredentials.HtpasswdSecret).ToList();
        var changed = false;
        foreach (var item in credentials)
        {
            changed |= (await applier.ApplyAsync(item, context.Cancellation)).Action != ApplyAction.Unchanged;
        }

        if (!changed)
        {
            context.Information($"User {settings.User}'s htpasswd entry already verifies the password given: nothing to rotate.");
            return;
        }

        var sync = new HtpasswdSync(context.Log, polling.Interval);
        var endpoint = await RegistryEndpoint.OpenAsync(settings, api, "RotatePassword", context.Cancellation);
        using var client = endpoint.LogIn(login);
        var waited = await sync.WaitUntilAcceptedAsync(client, settings.User, settings.WaitTimeout, context.Cancellation);
        context.Information($"The registry takes user {settings.User}'s new password ({waited.TotalSeconds:0}s after the Secret changed; no pod was restarted).");
        foreach (var item in rotated.Of<PullSecretsTask>())
        {
            await applier.ApplyAsync(item, context.Cancellation);
        }

        if (rotated.Credentials.PreviousLogin is { } previous && previous.Password.Reveal() != login.Password.Reveal())
        {
            // Each replica's kubelet syncs on its own: until the last has, some answer the old password still.
            using var old = endpoint.LogIn(previous);
            await sync.WaitUntilRefusedAsync(old, settings.User, settings.WaitTimeout, context.Cancellation);
            context.Information("The old password is refused (401).");
        }

        if (settings.PullSecretNamespaces.Count > 0 && rotated.Credentials.PullLogin?.User == settings.User)
        {
            context.Information($"The pull secrets {settings.PullSecretName} in {string.Join(", ", settings.PullSecretNamespaces)} hold the new password; running pods keep their images, new pulls use it.");
        }
    }
}
