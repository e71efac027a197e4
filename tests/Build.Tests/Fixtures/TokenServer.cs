using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace Registry.Build.Tests.Fixtures;

/// <summary>
/// A registry token server, as Docker Hub's auth.docker.io is one: it checks a Basic login and answers with a JWT
/// (ES256, its certificate in the x5c header) granting the scope asked for, which a registry configured with
/// <c>auth.token</c> and this server's certificate verifies. Docker Hub logs clients in this way; distribution's
/// pull-through cache sends its upstream credentials only to such a server (a Bearer challenge's realm).
/// </summary>
public sealed class TokenServer : IAsyncDisposable
{
    public const string Service = "upstream-registry";
    public const string Issuer = "test-token-issuer";
    private readonly WebApplication app;
    private readonly ECDsa key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
    private readonly X509Certificate2 certificate;
    private readonly string user;
    private readonly string password;

    private TokenServer(WebApplication app, string user, string password)
    {
        this.app = app;
        this.user = user;
        this.password = password;
        var request = new CertificateRequest("CN=test token issuer", key, HashAlgorithmName.SHA256);
        certificate = request.CreateSelfSigned(DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddDays(1));
        app.Run(HandleAsync);
    }

    public Uri Address { get; private set; } = null!;

    /// <summary>How many tokens were handed out for the right login.</summary>
    public int Issued { get; private set; }

    /// <summary>The certificate the registry checks tokens with (rootcertbundle), as PEM.</summary>
    public string CertificatePem => certificate.ExportCertificatePem();

    public static async Task<TokenServer> StartAsync(string user, string password)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        var server = new TokenServer(builder.Build(), user, password);
        await server.app.StartAsync();
        server.Address = new Uri(server.app.Urls.First());
        return server;
    }

    /// <summary>The registry's auth section for this server, with the certificate bundle written to <paramref name="bundle"/>.</summary>
    public string AuthConfig(string bundle)
    {
        File.WriteAllText(bundle, CertificatePem);
        return $"auth:\n  token:\n    realm: {Address}token\n    service: {Service}\n    issuer: {Issuer}\n    rootcertbundle: {bundle}\n";
    }

    public async ValueTask DisposeAsync()
    {
        await app.StopAsync();
        await app.DisposeAsync();
        certificate.Dispose();
        key.Dispose();
    }

    private async Task HandleAsync(HttpContext http)
    {
        var expected = "Basic " + Convert.ToBase64String(Encoding.UTF8.GetBytes($"{user}:{password}"));
        if (http.Request.Path != "/token" || http.Request.Headers.Authorization.ToString() != expected)
        {
            http.Response.StatusCode = 401;
            return;
        }

        var access = new JsonArray();
        foreach (var scope in http.Request.Query["scope"].OfType<string>())
        {
            // repository:NAME:ACTIONS, where NAME may hold no colon and ACTIONS is a comma list.
            var parts = scope.Split(':');
            access.Add(new JsonObject { ["type"] = parts[0], ["name"] = parts[1], ["actions"] = new JsonArray([.. parts[2].Split(',').Select(action => (JsonNode)action)]) });
        }

        var now = DateTimeOffset.UtcNow.ToUnixTimeSeconds();
        var header = new JsonObject { ["alg"] = "ES256", ["typ"] = "JWT", ["x5c"] = new JsonArray(Convert.ToBase64String(certificate.RawData)) };
        var claims = new JsonObject
        {
            ["iss"] = Issuer, ["sub"] = user, ["aud"] = http.Request.Query["service"].ToString(),
            ["exp"] = now + 300, ["nbf"] = now - 10, ["iat"] = now, ["jti"] = Guid.NewGuid().ToString("N"), ["access"] = access,
        };
        var signed = $"{Base64Url(Encoding.UTF8.GetBytes(header.ToJsonString()))}.{Base64Url(Encoding.UTF8.GetBytes(claims.ToJsonString()))}";
        var token = $"{signed}.{Base64Url(key.SignData(Encoding.ASCII.GetBytes(signed), HashAlgorithmName.SHA256))}";
        Issued++;
        http.Response.ContentType = "application/json";
        await http.Response.WriteAsync(new JsonObject { ["token"] = token, ["access_token"] = token, ["expires_in"] = 300, ["issued_at"] = DateTime.UtcNow.ToString("yyyy-MM-ddTHH:mm:ssZ") }.ToJsonString());
    }

    private static string Base64Url(byte[] bytes) => Convert.ToBase64String(bytes).TrimEnd('=').Replace('+', '-').Replace('/', '_');
}
