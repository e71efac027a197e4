using System.Net;
using System.Net.Http.Headers;
using System.Text;
using Registry.Build.Manifests;
using Registry.Build.Registry;
using Registry.Build.Settings;
using Registry.Build.State;
using Registry.Build.Tasks;
using Registry.Build.Tests.Fixtures;
using k8s.Models;

namespace Registry.Build.Tests.Registry;

/// <summary>The config.yml and htpasswd the pipeline renders, booted on the real registry server.</summary>
public sealed class RenderedRegistryTests : IDisposable
{
    private readonly TemporaryDirectory directory = new();

    public void Dispose() => directory.Dispose();

    [Fact]
    public async Task The_right_password_lists_the_catalog_and_a_wrong_one_is_refused()
    {
        var settings = new RegistrySettings { Host = "registry.example.com", User = "admin", Password = new Secret("Correct-Horse-9") };
        await using var registry = await Start(settings);

        Assert.Equal(HttpStatusCode.OK, await Catalog(registry, "admin", "Correct-Horse-9"));
        Assert.Equal(HttpStatusCode.Unauthorized, await Catalog(registry, "admin", "wrong"));
        Assert.Equal(HttpStatusCode.Unauthorized, await Catalog(registry, null, null));
    }

    [Fact]
    public async Task Every_user_of_a_users_file_can_log_in()
    {
        var users = directory.Write("users", "# the team\nalice:first-Secret-1\n\nbob:second:with:colons\n");
        var settings = new RegistrySettings { Host = "registry.example.com", Users = UsersFile.Read(users) };
        await using var registry = await Start(settings);

        Assert.Equal(HttpStatusCode.OK, await Catalog(registry, "alice", "first-Secret-1"));
        Assert.Equal(HttpStatusCode.OK, await Catalog(registry, "bob", "second:with:colons"));
        Assert.Equal(HttpStatusCode.Unauthorized, await Catalog(registry, "alice", "second:with:colons"));
    }

    [Fact]
    public async Task Extra_registry_configuration_is_merged_into_the_config_the_registry_boots_with()
    {
        var extra = (System.Text.Json.Nodes.JsonObject)System.Text.Json.Nodes.JsonNode.Parse("""{"log": {"level": "debug"}, "http": {"headers": {"X-Frame-Options": ["DENY"]}}}""")!;
        var settings = new RegistrySettings { Host = "registry.example.com", Password = new Secret("pw-1"), RegistryConfig = extra };
        await using var registry = await Start(settings);

        using var http = new HttpClient();
        using var response = await http.GetAsync(new Uri(registry.Address, "v2/"));

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.Equal("DENY", response.Headers.GetValues("X-Frame-Options").Single());
        Assert.Equal("nosniff", response.Headers.GetValues("X-Content-Type-Options").Single());
        Assert.Equal(HttpStatusCode.OK, await Catalog(registry, "admin", "pw-1"));
    }

    [Fact]
    public async Task With_metrics_the_real_registry_answers_prometheus_on_its_debug_port_and_not_on_its_api_port()
    {
        var settings = new RegistrySettings { Host = "registry.example.com", Password = new Secret("pw-1"), Metrics = true };
        await using var registry = await Start(settings);
        using var http = new HttpClient();
        Assert.Equal(HttpStatusCode.OK, await Catalog(registry, "admin", "pw-1"));

        var metrics = await http.GetStringAsync(new Uri(registry.DebugAddress, "metrics"));
        using var onApi = await http.GetAsync(new Uri(registry.Address, "metrics"));

        Assert.Contains("# TYPE registry_http_requests_total counter", metrics);
        Assert.Contains("registry_http_request_duration_seconds_bucket", metrics);
        Assert.NotEqual(HttpStatusCode.OK, onApi.StatusCode);
    }

    [Fact]
    public async Task The_hashes_are_bcrypt_2y_at_the_cost_asked_for()
    {
        var settings = new RegistrySettings { Host = "registry.example.com", Password = new Secret("pw"), BcryptCost = 11 };

        var credentials = await RegistryCredentials.ResolveAsync(settings, null, CancellationToken.None);

        Assert.StartsWith("admin:$2y$11$", credentials.Htpasswd);
    }

    [Fact]
    public async Task A_hash_that_still_verifies_is_kept_and_a_changed_password_is_hashed_anew()
    {
        var first = Htpasswd.Build([new Credential("admin", new Secret("one"))], null, 10);

        var same = Htpasswd.Build([new Credential("admin", new Secret("one"))], first, 10);
        var changed = Htpasswd.Build([new Credential("admin", new Secret("two"))], first, 10);

        Assert.Equal(first, same);
        Assert.NotEqual(first, changed);
        Assert.True(Htpasswd.Verifies(Htpasswd.Parse(changed)["admin"], "two"));
    }

    [Theory]
    [InlineData("alice\n", 1)]
    [InlineData("alice:pw\nalice:other\n", 2)]
    [InlineData("# nobody\n", 0)]
    public void A_broken_users_file_names_the_line_and_never_the_password(string content, int line)
    {
        var users = directory.Write("users", content);

        var error = Assert.Throws<FormatException>(() => UsersFile.Read(users));

        Assert.Contains(line == 0 ? "lists no user" : $"line {line}", error.Message);
        Assert.DoesNotContain("other", error.Message);
    }

    private static async Task<RealRegistry> Start(RegistrySettings settings)
    {
        var credentials = await RegistryCredentials.ResolveAsync(settings, null, CancellationToken.None);
        var state = new Declaration(ManifestTemplates.InSourceTree()).Build(settings, credentials, ownsNamespace: true);
        var config = state.Of<RegistryConfigTask>().OfType<V1ConfigMap>().Single();
        var htpasswd = Encoding.UTF8.GetString(state.Of<CredentialsTask>().OfType<V1Secret>().Single(secret => secret.Metadata.Name == RegistryCredentials.HtpasswdSecret).Data["htpasswd"]);
        return await RealRegistry.StartAsync(config.Data["config.yml"], htpasswd);
    }

    private static async Task<HttpStatusCode> Catalog(RealRegistry registry, string? user, string? password)
    {
        using var http = new HttpClient();
        using var request = new HttpRequestMessage(HttpMethod.Get, new Uri(registry.Address, "v2/_catalog"));
        if (user is not null)
        {
            request.Headers.Authorization = new AuthenticationHeaderValue("Basic", Convert.ToBase64String(Encoding.UTF8.GetBytes($"{user}:{password}")));
        }

        using var response = await http.SendAsync(request);
        return response.StatusCode;
    }
}
