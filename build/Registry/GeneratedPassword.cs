using System.Security.Cryptography;
using Registry.Build.Settings;

namespace Registry.Build.Registry;

/// <summary>A strong password for a first deploy that was given none; kept in its own Secret so later runs reuse it.</summary>
public static class GeneratedPassword
{
    private const string Alphabet = "ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz23456789";

    public static Secret Create() => new(RandomNumberGenerator.GetString(Alphabet, 32));

    /// <summary>The shared <c>http.secret</c> every replica signs upload state with.</summary>
    public static Secret HttpSecret() => new(Convert.ToBase64String(RandomNumberGenerator.GetBytes(32)));
}
