using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Registry.Build.Settings;

namespace Registry.Build.Registry;

/// <summary>
/// What a <c>kubernetes.io/dockerconfigjson</c> Secret holds: Docker's config.json with one login for the registry's
/// host, which the kubelet sends when it pulls from there.
/// </summary>
public static class PullSecret
{
    public const string Key = ".dockerconfigjson";

    public static string DockerConfigJson(string host, Credential login)
    {
        var password = login.Password.Reveal();
        var entry = new JsonObject
        {
            ["username"] = login.User,
            ["password"] = password,
            ["auth"] = LoginBase64(login),
        };
        return new JsonObject { ["auths"] = new JsonObject { [host] = entry } }.ToJsonString();
    }

    /// <summary>The <c>auth</c> of a login: user:password in base64, as Docker writes it.</summary>
    public static string LoginBase64(Credential login) => Convert.ToBase64String(Encoding.UTF8.GetBytes($"{login.User}:{login.Password.Reveal()}"));

    /// <summary>The login a pull secret's config holds for <paramref name="host"/>, or null when it has none (or is not such a config).</summary>
    public static Credential? LoginFor(string dockerConfigJson, string host)
    {
        try
        {
            if (JsonNode.Parse(dockerConfigJson)?["auths"]?[host]?["auth"]?.GetValue<string>() is not { } auth)
            {
                return null;
            }

            var decoded = Encoding.UTF8.GetString(Convert.FromBase64String(auth));
            var colon = decoded.IndexOf(':');
            return colon <= 0 ? null : new Credential(decoded[..colon], new Secret(decoded[(colon + 1)..]));
        }
        catch (Exception exception) when (exception is JsonException or FormatException or InvalidOperationException)
        {
            return null;
        }
    }
}
