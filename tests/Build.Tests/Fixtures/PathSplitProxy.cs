using System.Collections.Concurrent;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace Registry.Build.Tests.Fixtures;

/// <summary>
/// What the Ingress (or HTTPRoute) does for web-ui=true, on 127.0.0.1: /v2 and below go to the registry, every
/// other path to the UI's page. It passes requests on as they came (method, headers, body) and records what the
/// registry answered, so a test can see the requests a browser really sent.
/// </summary>
public sealed class PathSplitProxy : IAsyncDisposable
{
    private static readonly HttpClient Forward = new(new SocketsHttpHandler { AllowAutoRedirect = false, UseCookies = false });
    private static readonly HashSet<string> HopByHop = new(StringComparer.OrdinalIgnoreCase) { "Host", "Connection", "Transfer-Encoding", "Keep-Alive", "Content-Length" };
    private readonly WebApplication app;

    private PathSplitProxy(WebApplication app, Uri registry, string page)
    {
        this.app = app;
        app.Run(async http =>
        {
            var path = http.Request.Path.Value ?? "/";
            if (path != "/v2" && !path.StartsWith("/v2/", StringComparison.Ordinal))
            {
                if (path == "/")
                {
                    http.Response.ContentType = "text/html; charset=utf-8";
                    await http.Response.WriteAsync(page);
                }
                else
                {
                    http.Response.StatusCode = 404;
                }

                return;
            }

            using var request = new HttpRequestMessage(new HttpMethod(http.Request.Method), new Uri(registry, path + http.Request.QueryString));
            if (http.Request.ContentLength > 0 || http.Request.Headers.TransferEncoding.Count > 0)
            {
                request.Content = new StreamContent(http.Request.Body);
            }

            foreach (var (name, values) in http.Request.Headers.Where(header => !HopByHop.Contains(header.Key)))
            {
                if (!request.Headers.TryAddWithoutValidation(name, (IEnumerable<string?>)values))
                {
                    request.Content?.Headers.TryAddWithoutValidation(name, (IEnumerable<string?>)values);
                }
            }

            using var response = await Forward.SendAsync(request, HttpCompletionOption.ResponseHeadersRead);
            Log.Enqueue((http.Request.Method, path, (int)response.StatusCode));
            http.Response.StatusCode = (int)response.StatusCode;
            foreach (var (name, values) in response.Headers.Concat(response.Content.Headers).Where(header => !HopByHop.Contains(header.Key)))
            {
                http.Response.Headers[name] = values.ToArray();
            }

            await response.Content.CopyToAsync(http.Response.Body);
        });
    }

    /// <summary>Every request passed to the registry, with its answer's status.</summary>
    public ConcurrentQueue<(string Method, string Path, int Status)> Log { get; } = new();

    public Uri Address { get; private set; } = null!;

    public static async Task<PathSplitProxy> StartAsync(Uri registry, string page)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        var proxy = new PathSplitProxy(builder.Build(), registry, page);
        await proxy.app.StartAsync();
        proxy.Address = new Uri(proxy.app.Urls.First().Replace("0.0.0.0", "127.0.0.1", StringComparison.Ordinal) + "/");
        return proxy;
    }

    public async ValueTask DisposeAsync() => await app.DisposeAsync();
}
