namespace Registry.Build.Settings;

/// <summary>Where the shared blob descriptor cache is, from <c>redis-url</c>: redis://HOST[:PORT][/DB], or rediss:// for TLS.</summary>
public sealed record RedisAddress(string Host, int Port, int Database, bool Tls, bool HasCredentials)
{
    public const int DefaultPort = 6379;

    /// <summary>host:port as the registry's Redis client dials it.</summary>
    public string Endpoint => Host.Contains(':') ? $"[{Host}]:{Port}" : $"{Host}:{Port}";

    public static bool TryParse(string text, out RedisAddress? address, out string problem)
    {
        address = null;
        problem = string.Empty;
        if (!Uri.TryCreate(text, UriKind.Absolute, out var uri) || uri.Scheme is not ("redis" or "rediss") || uri.Host.Length == 0)
        {
            problem = "is not a Redis URL";
            return false;
        }

        var path = uri.AbsolutePath.Trim('/');
        var database = 0;
        if (path.Length > 0 && !(int.TryParse(path, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out database) && database <= 15))
        {
            problem = $"names database '{path}', which is not a number from 0 to 15";
            return false;
        }

        if (uri.Query.Length > 0)
        {
            problem = "has a query, which the registry's Redis settings cannot take";
            return false;
        }

        address = new RedisAddress(uri.IdnHost.Trim('[', ']'), uri.IsDefaultPort || uri.Port < 0 ? DefaultPort : uri.Port, database, uri.Scheme == "rediss", uri.UserInfo.Length > 0);
        return true;
    }
}
