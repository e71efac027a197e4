using BCryptNet = BCrypt.Net.BCrypt;

namespace Registry.Build.Registry;

/// <summary>
/// The registry's htpasswd file: one <c>user:hash</c> line per user, bcrypt only (the registry accepts no
/// other scheme). bcrypt salts are random, so a hash that still verifies its password is kept: re-hashing
/// on every run would change the Secret and roll the pods each time (the guide's "the base64 differs").
/// </summary>
public static class Htpasswd
{
    public static string Hash(string password, int cost) =>
        BCryptNet.HashPassword(password, BCryptNet.GenerateSalt(cost, 'y'));

    public static bool Verifies(string hash, string password)
    {
        try
        {
            return BCryptNet.Verify(password, hash);
        }
        catch (BCrypt.Net.SaltParseException)
        {
            return false;
        }
    }

    /// <summary>The users' lines, reusing each hash in <paramref name="existing"/> that verifies the same password.</summary>
    public static string Build(IReadOnlyList<Credential> users, string? existing, int cost)
    {
        var previous = Parse(existing ?? string.Empty);
        return string.Concat(users.Select(user =>
        {
            var password = user.Password.Reveal();
            var hash = previous.TryGetValue(user.User, out var kept) && Verifies(kept, password) ? kept : Hash(password, cost);
            return $"{user.User}:{hash}\n";
        }));
    }

    /// <summary><paramref name="existing"/> with <paramref name="user"/>'s line added (or replaced), every other user's line as it was.</summary>
    public static string With(string? existing, Credential user, int cost)
    {
        var others = (existing ?? string.Empty)
            .Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            .Where(line => line.Split(':', 2)[0] != user.User);
        return string.Concat(others.Select(line => line + "\n")) + Build([user], existing, cost);
    }

    public static IReadOnlyDictionary<string, string> Parse(string text) => text
        .Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
        .Select(line => line.Split(':', 2))
        .Where(parts => parts.Length == 2)
        .GroupBy(parts => parts[0])
        .ToDictionary(group => group.Key, group => group.Last()[1], StringComparer.Ordinal);
}
