using System.Net;
using System.Text.Json.Nodes;
using k8s.Models;

namespace Registry.Build.Kubernetes;

/// <summary>
/// The pull secret in a namespace's <c>default</c> ServiceAccount, so that its pods pull with it without naming it.
/// The account is not the pipeline's: its list is only ever added to, read and written back whole with its
/// resourceVersion (the list is atomic to server-side apply, which would take every entry over).
/// </summary>
public sealed class ImagePullSecrets(KubernetesApi api)
{
    public const string Account = "default";

    /// <summary>The namespaces whose default ServiceAccount does not list <paramref name="secret"/>.</summary>
    public async Task<IReadOnlyList<string>> LackingAsync(IEnumerable<string> namespaces, string secret, CancellationToken cancellationToken)
    {
        var lacking = new List<string>();
        foreach (var ns in namespaces)
        {
            if (!Lists(await api.GetAsync(Address(ns), cancellationToken), secret))
            {
                lacking.Add(ns);
            }
        }

        return lacking;
    }

    /// <summary>Adds <paramref name="secret"/> after the entries the account has; false when it already listed it.</summary>
    public async Task<bool> AddAsync(string ns, string secret, CancellationToken cancellationToken)
    {
        for (var attempt = 1; ; attempt++)
        {
            // The controller manager makes every namespace's default account; right after the namespace it may not be there yet.
            var account = await api.GetAsync(Address(ns), cancellationToken)
                ?? throw new Cake.Core.CakeException($"ServiceAccount {ns}/{Account} does not exist, so it cannot list the pull secret {secret}; it is made with the namespace: run again in a moment.");
            if (Lists(account, secret))
            {
                return false;
            }

            var entries = account["imagePullSecrets"] as JsonArray ?? [];
            entries.Add(new JsonObject { ["name"] = secret });
            account["imagePullSecrets"] = entries;
            try
            {
                await api.ReplaceAsync(Address(ns), account, cancellationToken);
                return true;
            }
            catch (KubernetesApiException exception) when (exception.Status == HttpStatusCode.Conflict && attempt < 5)
            {
                // Changed since it was read (another controller added a token or a secret): read it again.
            }
        }
    }

    private static ResourceAddress Address(string ns) => ResourceAddress.For<V1ServiceAccount>(ns, Account);

    private static bool Lists(JsonObject? account, string secret) =>
        (account?["imagePullSecrets"] as JsonArray ?? []).Any(entry => entry?["name"]?.GetValue<string>() == secret);
}
