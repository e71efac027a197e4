using System.Text;
using k8s.Models;
using Registry.Build.Kubernetes;
using Registry.Build.Settings;

namespace Registry.Build.Registry;

/// <summary>
/// What the registry's Secrets hold: the htpasswd lines, the shared http.secret and, when no password was
/// given, the generated one. Whatever the cluster already has and still fits is kept, so a re-run changes nothing.
/// </summary>
public sealed record RegistryCredentials(string Htpasswd, Secret HttpSecret, Credential? GeneratedLogin, bool PasswordIsNew)
{
    public const string HtpasswdSecret = "docker-registry-htpasswd";
    public const string HttpSecretName = "docker-registry-http-secret";
    public const string PasswordSecret = "docker-registry-password";

    /// <param name="api">The cluster to read the current Secrets from; null renders without one.</param>
    public static async Task<RegistryCredentials> ResolveAsync(RegistrySettings settings, KubernetesApi? api, CancellationToken cancellationToken)
    {
        async Task<string?> Existing(string secret, string key)
        {
            if (api is null)
            {
                return null;
            }

            var found = await api.GetAsync(ResourceAddress.For<V1Secret>(settings.Namespace, secret), cancellationToken);
            return found?["data"]?[key]?.GetValue<string>() is { } encoded ? Encoding.UTF8.GetString(Convert.FromBase64String(encoded)) : null;
        }

        Credential? generated = null;
        var passwordIsNew = false;
        IReadOnlyList<Credential> users;
        if (settings.Users is { } fromFile)
        {
            users = fromFile;
        }
        else if (settings.Password is { } given)
        {
            users = [new Credential(settings.User, given)];
        }
        else
        {
            var kept = await Existing(PasswordSecret, "password");
            var keptUser = await Existing(PasswordSecret, "user");
            passwordIsNew = kept is null || keptUser != settings.User;
            generated = new Credential(settings.User, passwordIsNew ? GeneratedPassword.Create() : new Secret(kept!));
            users = [generated];
        }

        var htpasswd = Registry.Htpasswd.Build(users, await Existing(HtpasswdSecret, "htpasswd"), settings.BcryptCost);
        var httpSecret = await Existing(HttpSecretName, "http-secret") is { } existing ? new Secret(existing) : GeneratedPassword.HttpSecret();
        return new RegistryCredentials(htpasswd, httpSecret, generated, passwordIsNew);
    }
}
