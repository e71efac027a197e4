using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net.WebSockets;
using System.Text;
using System.Text.Json.Nodes;

namespace Registry.Build.Tests.Fixtures;

/// <summary>
/// A real browser: Debian's headless Chromium, driven over the DevTools protocol (a WebSocket, as Puppeteer does it)
/// with one page open. Each instance has a profile of its own, so nothing is cached or remembered between tests.
/// </summary>
public sealed class HeadlessChromium : IAsyncDisposable
{
    // Debian's package (the Test target installs it as root), else a full Chromium or Google Chrome (GitHub's Ubuntu runners have it).
    private static readonly string[] Binaries = ["/usr/bin/chromium-headless-shell", "/usr/bin/chromium", "/usr/bin/google-chrome"];

    private readonly Process process;
    private readonly TemporaryDirectory profile;
    private readonly ClientWebSocket socket = new();
    private readonly ConcurrentDictionary<int, TaskCompletionSource<JsonObject>> pending = new();
    private readonly ConcurrentQueue<JsonObject> events = new();
    private readonly CancellationTokenSource stop = new();
    private Task reading = Task.CompletedTask;
    private int nextId;

    private HeadlessChromium(Process process, TemporaryDirectory profile)
    {
        this.process = process;
        this.profile = profile;
    }

    public static async Task<HeadlessChromium> StartAsync()
    {
        var binary = Binaries.FirstOrDefault(File.Exists) ?? throw new InvalidOperationException(
            $"None of {string.Join(", ", Binaries)} is installed: this test runs a real browser. Install it with 'sudo apt-get install chromium-headless-shell' (./build.sh --target=Test does it when it runs as root).");
        var profile = new TemporaryDirectory();
        var start = new ProcessStartInfo(binary)
        {
            RedirectStandardError = true,
            RedirectStandardOutput = true,
        };
        // As root (CI containers) Chromium's sandbox cannot start; the pages it opens here are the test's own.
        foreach (var argument in new[] { "--headless", "--no-sandbox", "--disable-gpu", "--no-first-run", "--remote-debugging-port=0", $"--user-data-dir={profile.Path}", "--window-size=1024,640", "about:blank" })
        {
            start.ArgumentList.Add(argument);
        }

        var process = Process.Start(start)!;
        process.OutputDataReceived += (_, _) => { };
        process.ErrorDataReceived += (_, _) => { };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        var browser = new HeadlessChromium(process, profile);
        try
        {
            await browser.ConnectAsync();
        }
        catch
        {
            await browser.DisposeAsync();
            throw;
        }

        return browser;
    }

    /// <summary>Opens <paramref name="url"/> and waits for its load event.</summary>
    public async Task NavigateAsync(Uri url)
    {
        await SendAsync("Page.enable");
        events.Clear();
        await SendAsync("Page.navigate", new JsonObject { ["url"] = url.ToString() });
        await WaitForEventAsync("Page.loadEventFired");
    }

    /// <summary>Runs <paramref name="expression"/> in the page, waits for its promise, and returns its value as JSON.</summary>
    public async Task<JsonNode?> EvaluateAsync(string expression)
    {
        var result = await SendAsync("Runtime.evaluate", new JsonObject { ["expression"] = expression, ["awaitPromise"] = true, ["returnByValue"] = true });
        if (result["exceptionDetails"] is { } exception)
        {
            throw new JavaScriptException(exception["exception"]?["description"]?.GetValue<string>() ?? exception.ToJsonString());
        }

        return result["result"]?["value"]?.DeepClone();
    }

    /// <summary>What the page's console and the browser's network layer said (CORS refusals are reported there).</summary>
    public IReadOnlyList<string> ConsoleMessages =>
        [.. events.Where(item => item["method"]?.GetValue<string>() == "Log.entryAdded").Select(item => item["params"]!["entry"]!["text"]!.GetValue<string>())];

    public async Task ScreenshotAsync(string path)
    {
        var shot = await SendAsync("Page.captureScreenshot", new JsonObject { ["format"] = "png" });
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        await File.WriteAllBytesAsync(path, Convert.FromBase64String(shot["data"]!.GetValue<string>()));
    }

    public async Task<JsonObject> SendAsync(string method, JsonObject? parameters = null)
    {
        var id = Interlocked.Increment(ref nextId);
        var answer = new TaskCompletionSource<JsonObject>(TaskCreationOptions.RunContinuationsAsynchronously);
        pending[id] = answer;
        var message = new JsonObject { ["id"] = id, ["method"] = method, ["params"] = parameters ?? new JsonObject() };
        await socket.SendAsync(Encoding.UTF8.GetBytes(message.ToJsonString()), WebSocketMessageType.Text, true, stop.Token);
        var reply = await answer.Task.WaitAsync(TimeSpan.FromSeconds(30));
        if (reply["error"] is { } error)
        {
            throw new InvalidOperationException($"{method}: {error.ToJsonString()}");
        }

        return reply["result"]?.AsObject() ?? new JsonObject();
    }

    private async Task WaitForEventAsync(string method)
    {
        var deadline = DateTimeOffset.UtcNow + TimeSpan.FromSeconds(30);
        while (!events.Any(item => item["method"]?.GetValue<string>() == method))
        {
            if (DateTimeOffset.UtcNow > deadline)
            {
                throw new TimeoutException($"The browser sent no {method} within 30 s.");
            }

            await Task.Delay(20);
        }
    }

    private async Task ConnectAsync()
    {
        // Chromium writes the port it chose, and the browser's WebSocket path, into the profile once it listens.
        var portFile = Path.Combine(profile.Path, "DevToolsActivePort");
        var deadline = DateTimeOffset.UtcNow + TimeSpan.FromSeconds(30);
        while (!File.Exists(portFile) || (await File.ReadAllLinesAsync(portFile)).Length < 2)
        {
            if (process.HasExited || DateTimeOffset.UtcNow > deadline)
            {
                throw new InvalidOperationException($"Chromium did not open its DevTools port (exit {(process.HasExited ? process.ExitCode : "none")}).");
            }

            await Task.Delay(50);
        }

        var port = (await File.ReadAllLinesAsync(portFile))[0].Trim();
        using var http = new HttpClient();
        var targets = JsonNode.Parse(await http.GetStringAsync($"http://127.0.0.1:{port}/json/list"))!.AsArray();
        var page = targets.First(target => target!["type"]!.GetValue<string>() == "page")!;
        await socket.ConnectAsync(new Uri(page["webSocketDebuggerUrl"]!.GetValue<string>()), stop.Token);
        reading = Task.Run(ReadAsync);
        await SendAsync("Log.enable");
    }

    private async Task ReadAsync()
    {
        var buffer = new byte[1 << 16];
        var message = new MemoryStream();
        try
        {
            while (!stop.IsCancellationRequested)
            {
                var received = await socket.ReceiveAsync(buffer, stop.Token);
                if (received.MessageType == WebSocketMessageType.Close)
                {
                    return;
                }

                message.Write(buffer, 0, received.Count);
                if (!received.EndOfMessage)
                {
                    continue;
                }

                var item = JsonNode.Parse(message.ToArray())!.AsObject();
                message.SetLength(0);
                if (item["id"] is { } id && pending.TryRemove(id.GetValue<int>(), out var answer))
                {
                    answer.SetResult(item);
                }
                else
                {
                    events.Enqueue(item);
                }
            }
        }
        catch (Exception failure) when (failure is OperationCanceledException or WebSocketException)
        {
            foreach (var answer in pending.Values)
            {
                answer.TrySetException(failure);
            }
        }
    }

    public async ValueTask DisposeAsync()
    {
        await stop.CancelAsync();
        try
        {
            await reading;
        }
        catch (OperationCanceledException)
        {
        }

        socket.Dispose();
        if (!process.HasExited)
        {
            process.Kill(entireProcessTree: true);
            await process.WaitForExitAsync();
        }

        process.Dispose();
        profile.Dispose();
        stop.Dispose();
    }
}

/// <summary>A script in the page threw, or its promise was rejected.</summary>
public sealed class JavaScriptException(string message) : Exception(message);
