using System.Diagnostics;
using System.Net;
using System.Net.Sockets;

namespace Registry.Build.Tests.Fixtures;

/// <summary>
/// The real registry server (Debian's docker-registry, distribution 2.8) on 127.0.0.1, started with a
/// config.yml and htpasswd a test gives it. Only what a pod gets from its mounts and network is changed:
/// the listen addresses, the storage root and the htpasswd file's path.
/// </summary>
public sealed class RealRegistry : IAsyncDisposable
{
    public const string Binary = "/usr/bin/docker-registry";

    private readonly Process process;
    private readonly TemporaryDirectory directory;

    private RealRegistry(Process process, TemporaryDirectory directory, Uri address, Uri debugAddress, System.Text.StringBuilder output)
    {
        this.process = process;
        this.directory = directory;
        this.output = output;
        Address = address;
        DebugAddress = debugAddress;
    }

    private readonly System.Text.StringBuilder output;

    /// <summary>What the registry has logged so far, for a test's failure message.</summary>
    public string Output
    {
        get
        {
            lock (output)
            {
                return output.ToString();
            }
        }
    }

    public Uri Address { get; }

    /// <summary>The debug server: /debug/health, and /metrics when the config turns Prometheus on.</summary>
    public Uri DebugAddress { get; }

    /// <summary>A registry that only has to ask for a login, as a deployed one does on /v2/.</summary>
    public static Task<RealRegistry> AskingForLoginAsync() => StartAsync(
        "version: 0.1\nstorage:\n  filesystem:\n    rootdirectory: /tmp\nhttp:\n  addr: :5000\nauth:\n  htpasswd:\n    realm: basic-realm\n    path: /auth/htpasswd\n",
        global::Registry.Build.Registry.Htpasswd.Build([new global::Registry.Build.Registry.Credential("admin", new global::Registry.Build.Settings.Secret("x"))], null, 10));

    /// <param name="tls">A server certificate and key (PEM files) to serve HTTPS with; null serves plain HTTP.</param>
    /// <param name="environment">More REGISTRY_* overrides, as a pod's environment would give them.</param>
    /// <param name="dataDirectory">The filesystem store's root, for instances that share one; else a folder of this instance's own.</param>
    /// <param name="port">The API's port, for a registry restarted where clients know it; else a free one.</param>
    public static async Task<RealRegistry> StartAsync(
        string configYml,
        string htpasswd,
        string httpSecret = "test-http-secret",
        (string Certificate, string Key)? tls = null,
        IReadOnlyDictionary<string, string>? environment = null,
        string? dataDirectory = null,
        int? port = null)
    {
        // A free port found is free only until someone takes it: tests run in parallel, so a port taken in between is tried again.
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                return await StartOnceAsync(configYml, htpasswd, httpSecret, tls, environment, dataDirectory, port);
            }
            catch (InvalidOperationException exception) when (attempt < 3 && exception.Message.Contains("address already in use", StringComparison.Ordinal))
            {
                await Task.Delay(200);
            }
        }
    }

    /// <summary>A free port on 127.0.0.1 (free when asked).</summary>
    public static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    /// <summary>
    /// Replaces the htpasswd file the running registry reads, as the kubelet updates a Secret volume: the new content
    /// appears at once under the same path (a rename), with a new modification time.
    /// </summary>
    public void ReplaceHtpasswd(string htpasswd)
    {
        var path = Path.Combine(directory.Path, "htpasswd");
        var next = path + ".new";
        File.WriteAllText(next, htpasswd);
        File.Move(next, path, overwrite: true);
    }

    private static async Task<RealRegistry> StartOnceAsync(
        string configYml, string htpasswd, string httpSecret, (string Certificate, string Key)? tls, IReadOnlyDictionary<string, string>? environment, string? dataDirectory, int? fixedPort)
    {
        if (!File.Exists(Binary))
        {
            throw new InvalidOperationException(
                $"{Binary} is missing: these tests run the real registry server. Install it with 'sudo apt-get install docker-registry' " +
                "(./build.sh --target=Test does it when it runs as root).");
        }

        var directory = new TemporaryDirectory();
        var config = directory.Write("config.yml", configYml);
        var htpasswdFile = directory.Write("htpasswd", htpasswd);
        var port = fixedPort ?? FreePort();
        var start = new ProcessStartInfo(Binary) { RedirectStandardOutput = true, RedirectStandardError = true };
        start.ArgumentList.Add("serve");
        start.ArgumentList.Add(config);
        start.Environment["REGISTRY_HTTP_ADDR"] = $"127.0.0.1:{port}";
        var debugPort = FreePort();
        start.Environment["REGISTRY_HTTP_DEBUG_ADDR"] = $"127.0.0.1:{debugPort}";
        // The claim's mount point becomes a local folder; a config on object storage has none (a second driver would stop it).
        if (global::Registry.Build.Manifests.YamlToJson.Documents(configYml).Single()["storage"]?["filesystem"] is not null)
        {
            start.Environment["REGISTRY_STORAGE_FILESYSTEM_ROOTDIRECTORY"] = dataDirectory ?? Path.Combine(directory.Path, "data");
        }

        // Set on these machines, it makes the AWS SDK inside the registry panic at start.
        start.Environment.Remove("AWS_CA_BUNDLE");
        // The htpasswd's mount point becomes a local file; a registry with token auth (an upstream) has none.
        if (global::Registry.Build.Manifests.YamlToJson.Documents(configYml).Single()["auth"]?["htpasswd"] is not null)
        {
            start.Environment["REGISTRY_AUTH_HTPASSWD_PATH"] = htpasswdFile;
        }

        start.Environment["REGISTRY_HTTP_SECRET"] = httpSecret;
        if (tls is { } served)
        {
            start.Environment["REGISTRY_HTTP_TLS_CERTIFICATE"] = served.Certificate;
            start.Environment["REGISTRY_HTTP_TLS_KEY"] = served.Key;
        }

        foreach (var (name, value) in environment ?? new Dictionary<string, string>())
        {
            start.Environment[name] = value;
        }
        var process = Process.Start(start)!;
        var output = new System.Text.StringBuilder();
        process.OutputDataReceived += (_, line) => { lock (output) { output.AppendLine(line.Data); } };
        process.ErrorDataReceived += (_, line) => { lock (output) { output.AppendLine(line.Data); } };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();

        var registry = new RealRegistry(process, directory, new Uri($"{(tls is null ? "http" : "https")}://localhost:{port}/"), new Uri($"http://127.0.0.1:{debugPort}/"), output);
        using var http = new HttpClient(new HttpClientHandler { ServerCertificateCustomValidationCallback = (_, _, _, _) => true });
        for (var attempt = 0; attempt < 100; attempt++)
        {
            if (process.HasExited)
            {
                break;
            }

            try
            {
                await http.GetAsync(new Uri(registry.Address, "v2/"));
                return registry;
            }
            catch (HttpRequestException)
            {
                await Task.Delay(50);
            }
        }

        await registry.DisposeAsync();
        lock (output)
        {
            throw new InvalidOperationException($"docker-registry did not start with this config.yml:{Environment.NewLine}{output}");
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (!process.HasExited)
        {
            process.Kill(entireProcessTree: true);
            await process.WaitForExitAsync();
        }

        process.Dispose();
        directory.Dispose();
    }
}
