using System.Diagnostics;
using System.Net;
using System.Net.Sockets;

namespace Registry.Build.Tests.Fixtures;

/// <summary>A real Redis (Debian's redis-server) on 127.0.0.1 with a password, evicting as the README asks (allkeys-lru), nothing on disk.</summary>
public sealed class RedisServer : IAsyncDisposable
{
    public const string Binary = "/usr/bin/redis-server";

    private readonly Process process;

    private RedisServer(Process process, int port, string password)
    {
        this.process = process;
        Port = port;
        Password = password;
    }

    public int Port { get; }

    public string Password { get; }

    public static async Task<RedisServer> StartAsync(string password)
    {
        if (!File.Exists(Binary))
        {
            throw new InvalidOperationException(
                $"{Binary} is missing: the cache tests run a real Redis. Install it with 'sudo apt-get install redis-server' (./build.sh --target=Test does it when it runs as root).");
        }

        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop();
        var start = new ProcessStartInfo(Binary) { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var arg in new[] { "--bind", "127.0.0.1", "--port", port.ToString(System.Globalization.CultureInfo.InvariantCulture), "--requirepass", password, "--save", string.Empty, "--appendonly", "no", "--maxmemory", "64mb", "--maxmemory-policy", "allkeys-lru" })
        {
            start.ArgumentList.Add(arg);
        }

        var process = Process.Start(start)!;
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        var server = new RedisServer(process, port, password);
        for (var attempt = 0; attempt < 100 && !process.HasExited; attempt++)
        {
            if ((await server.CliAsync("PING")).Trim() == "PONG")
            {
                return server;
            }

            await Task.Delay(50);
        }

        await server.DisposeAsync();
        throw new InvalidOperationException($"redis-server did not start on port {port}.");
    }

    /// <summary>redis-cli's answer to one command; the password goes by its environment variable, not the command line.</summary>
    public async Task<string> CliAsync(params string[] command)
    {
        var run = await Command.Run("redis-cli", ["-h", "127.0.0.1", "-p", Port.ToString(System.Globalization.CultureInfo.InvariantCulture), "--no-auth-warning", .. command], Path.GetTempPath(),
            new Dictionary<string, string?> { ["REDISCLI_AUTH"] = Password });
        return run.Output;
    }

    public async ValueTask DisposeAsync()
    {
        if (!process.HasExited)
        {
            process.Kill(entireProcessTree: true);
            await process.WaitForExitAsync();
        }

        process.Dispose();
    }
}
