using Registry.Build.Settings;

namespace Registry.Build.Registry;

/// <summary>
/// Several registry users from a file of <c>user:password</c> lines; blank lines and <c>#</c> comments are skipped.
/// A problem is a <see cref="FormatException"/> naming the line, never its text: the line holds a password.
/// </summary>
public static class UsersFile
{
    public static IReadOnlyList<Credential> Read(string path)
    {
        var users = new List<Credential>();
        var number = 0;
        foreach (var line in File.ReadLines(path))
        {
            number++;
            var text = line.TrimEnd('\r');
            if (text.Trim().Length == 0 || text.TrimStart().StartsWith('#'))
            {
                continue;
            }

            var colon = text.IndexOf(':');
            if (colon <= 0 || colon == text.Length - 1)
            {
                throw new FormatException($"line {number}: expected user:password");
            }

            var user = text[..colon];
            if (user.Any(character => char.IsWhiteSpace(character) || char.IsControl(character)))
            {
                throw new FormatException($"line {number}: the user name has a space or a control character");
            }

            if (users.Any(existing => existing.User == user))
            {
                throw new FormatException($"line {number}: user {user} is listed twice");
            }

            users.Add(new Credential(user, new Secret(text[(colon + 1)..])));
        }

        return users.Count > 0 ? users : throw new FormatException("it lists no user");
    }
}
