using Cake.Core;
using Registry.Build.Settings;

namespace Registry.Build.Registry;

/// <summary>Several registry users from a file of <c>user:password</c> lines; blank lines and <c>#</c> comments are skipped.</summary>
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
            // The line holds a password: the message names the line, never its text.
            if (colon <= 0 || colon == text.Length - 1)
            {
                throw new CakeException($"users-file {path}, line {number}: expected user:password.");
            }

            var user = text[..colon];
            if (user.Any(character => char.IsWhiteSpace(character) || char.IsControl(character)))
            {
                throw new CakeException($"users-file {path}, line {number}: the user name has a space or a control character.");
            }

            if (users.Any(existing => existing.User == user))
            {
                throw new CakeException($"users-file {path}, line {number}: user {user} is listed twice.");
            }

            users.Add(new Credential(user, new Secret(text[(colon + 1)..])));
        }

        return users.Count > 0 ? users : throw new CakeException($"users-file {path} lists no user; expected user:password lines.");
    }
}
