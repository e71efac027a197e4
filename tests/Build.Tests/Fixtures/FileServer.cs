using System.Collections.Concurrent;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace Registry.Build.Tests.Fixtures;

/// <summary>A web server on 127.0.0.1 that serves the files a test puts in it, like a download site or a mirror.</summary>
public sealed class FileServer : IAsyncDisposable
{
    private readonly WebApplication app;

    private FileServer(WebApplication app)
    {
        this.app = app;
        app.Run(async http =>
        {
            if (Files.TryGetValue(http.Request.Path.Value!.TrimStart('/'), out var content))
            {
                await http.Response.Body.WriteAsync(content);
            }
            else
            {
                http.Response.StatusCode = 404;
            }
        });
    }

    public ConcurrentDictionary<string, byte[]> Files { get; } = new();

    public Uri Address { get; private set; } = null!;

    public static async Task<FileServer> StartAsync()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        var server = new FileServer(builder.Build());
        await server.app.StartAsync();
        server.Address = new Uri(server.app.Urls.First() + "/");
        return server;
    }

    public async ValueTask DisposeAsync()
    {
        await app.StopAsync();
        await app.DisposeAsync();
    }
}
