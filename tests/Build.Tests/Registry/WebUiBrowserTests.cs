using System.Text;
using System.Text.Json.Nodes;
using Registry.Build.Registry;
using Registry.Build.Registry.Oci;
using Registry.Build.Settings;
using Registry.Build.Tests.Fixtures;
using Registry.Build.Workspace;

namespace Registry.Build.Tests.Registry;

/// <summary>
/// Why web-ui=true serves the UI on the registry's own origin: a real browser (headless Chromium) against a real
/// registry booted from the pipeline's rendered config. A browser UI calls /v2/ with the user's Basic login; from
/// the registry's origin that is an ordinary request, from any other origin the browser first asks with a
/// preflight OPTIONS, which distribution answers 401 (distribution#4458), so the call never happens.
/// </summary>
public sealed class WebUiBrowserTests : IDisposable
{
    private const string Password = "Browser-Passw0rd";
    private readonly TemporaryDirectory directory = new();

    // The calls joxit/docker-registry-ui makes to list a registry, written for this test: the catalog, then each
    // repository's tags, with the login the user typed, shown in the page as it goes.
    private const string Page = """
        <!DOCTYPE html>
        <html>
        <head><meta charset="utf-8"><title>registry.example.test</title>
        <style>body { font-family: sans-serif; margin: 2em } li { margin: .3em 0 } #error { color: #b00 }</style></head>
        <body>
        <h1 id="origin"></h1>
        <ul id="catalog"></ul>
        <p id="error"></p>
        <script>
        document.getElementById('origin').textContent = 'Registry UI on ' + location.origin;
        async function browse(registry, user, password) {
          const headers = { Authorization: 'Basic ' + btoa(user + ':' + password) };
          async function get(path) {
            const response = await fetch(registry + path, { headers });
            if (!response.ok) throw new Error(path + ': ' + response.status);
            return response.json();
          }
          try {
            const listed = {};
            for (const name of (await get('/v2/_catalog')).repositories) {
              listed[name] = (await get('/v2/' + name + '/tags/list')).tags.sort();
              const item = document.createElement('li');
              item.textContent = name + ': ' + listed[name].join(', ');
              document.getElementById('catalog').appendChild(item);
            }
            return listed;
          } catch (failure) {
            document.getElementById('error').textContent = 'Cannot list ' + (registry || location.origin) + ': ' + failure.message;
            throw failure;
          }
        }
        </script>
        </body>
        </html>
        """;

    public void Dispose() => directory.Dispose();

    [Fact]
    public async Task On_the_registrys_origin_a_browser_logs_in_and_lists_catalog_and_tags_and_from_another_origin_the_preflight_gets_401()
    {
        await using var elsewhere = await FileServer.StartAsync();
        elsewhere.Files[string.Empty] = Encoding.UTF8.GetBytes(Page);
        var otherOrigin = elsewhere.Address.ToString().TrimEnd('/');
        // Every CORS header a UI on another origin would need, in registry-config: they cannot help, as the end shows.
        var cors = JsonNode.Parse($$$"""
            {"http": {"headers": {
              "Access-Control-Allow-Origin": ["{{{otherOrigin}}}"], "Access-Control-Allow-Credentials": ["true"],
              "Access-Control-Allow-Headers": ["Authorization", "Accept"], "Access-Control-Allow-Methods": ["HEAD", "GET", "OPTIONS", "DELETE"],
              "Access-Control-Expose-Headers": ["Docker-Content-Digest"] } } }
            """)!.AsObject();
        var settings = new RegistrySettings { Host = "registry.example.test", Password = new Secret(Password), Image = "registry:2.8.3", WebUi = true, RegistryConfig = cors };
        var pod = await RenderedPod.OfAsync(settings);
        Assert.Contains("Access-Control-Allow-Origin", pod.ConfigYml);
        Assert.Contains("X-Content-Type-Options", pod.ConfigYml);
        await using var registry = await pod.StartAsync(dataDirectory: Directory.CreateDirectory(Path.Combine(directory.Path, "store")).FullName);
        using (var client = new RegistryClient(registry.Address, new Credential("admin", new Secret(Password)), new RegistryTrust(null, false)))
        {
            await TestImage.Of(DateTimeOffset.UtcNow, "app 1.0").PushAsync(client, "team/app", "1.0");
            await TestImage.Of(DateTimeOffset.UtcNow, "app 1.1").PushAsync(client, "team/app", "1.1");
            await TestImage.Of(DateTimeOffset.UtcNow, "busybox").PushAsync(client, "tools/busybox", "1.37");
        }

        await using var ingress = await PathSplitProxy.StartAsync(registry.Address, Page);
        await using var browser = await HeadlessChromium.StartAsync();
        var screenshots = SourceTree.Root.Combine("artifacts/test-results/web-ui").FullPath;

        await browser.NavigateAsync(ingress.Address);
        var listed = await browser.EvaluateAsync($"browse('', 'admin', '{Password}')");
        await browser.ScreenshotAsync(Path.Combine(screenshots, "same-origin.png"));

        Assert.Equal("""{"team/app":["1.0","1.1"],"tools/busybox":["1.37"]}""", listed!.ToJsonString());
        Assert.Equal(
            ["GET /v2/_catalog 200", "GET /v2/team/app/tags/list 200", "GET /v2/tools/busybox/tags/list 200"],
            ingress.Log.Select(entry => $"{entry.Method} {entry.Path} {entry.Status}"));
        ingress.Log.Clear();

        await browser.NavigateAsync(elsewhere.Address);
        var failure = await browser.EvaluateAsync($"browse('{ingress.Address.ToString().TrimEnd('/')}', 'admin', '{Password}').then(() => 'listed', failure => failure.message)");
        await browser.ScreenshotAsync(Path.Combine(screenshots, "cross-origin.png"));

        // The browser asked first and got 401 (a preflight carries no login, and distribution answers every
        // unauthenticated request so), with every CORS header it wanted; a preflight needs a 2xx, so it never sent the GET.
        Assert.Equal("Failed to fetch", failure!.GetValue<string>());
        Assert.Equal(["OPTIONS /v2/_catalog 401"], ingress.Log.Select(entry => $"{entry.Method} {entry.Path} {entry.Status}"));
        Assert.Contains(browser.ConsoleMessages, message => message.Contains("blocked by CORS policy", StringComparison.Ordinal) && message.Contains("preflight", StringComparison.Ordinal));
        Assert.DoesNotContain(Password, registry.Output);
    }
}
