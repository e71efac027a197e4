using System.Diagnostics;
using System.Globalization;
using Registry.Build.Tasks;
using Registry.Build.Tests.Fixtures.Kubernetes;
using Registry.Build.Workspace;

namespace Registry.Build.Benchmarks;

/// <summary>
/// A Deploy with nothing to do against <c>kubectl apply --server-side</c> of the same objects, on an emulated API
/// server that answers every request after a set latency (a CI runner far from its cluster). Both run as a user runs
/// them, as processes: ./build.sh (its cached build, start-up included) and kubectl, with a warm-up each first.
/// </summary>
public static class ConvergeBenchmark
{
    private const string Host = "localhost";
    private const string Password = "Benchmark-Passw0rd";

    public static async Task<int> RunAsync(int repetitions, IReadOnlyList<TimeSpan> latencies)
    {
        var root = SourceTree.Root.FullPath;
        var script = Path.Combine(root, OperatingSystem.IsWindows() ? "build.ps1" : "build.sh");
        var kubectl = Kubectl();
        Console.WriteLine($"Converge benchmark: {repetitions} runs each, medians; kubectl: {kubectl ?? "not found (pipeline only)"}.");
        var startup = await MedianAsync(repetitions, () => TimeAsync(script, ["--tree"], new Dictionary<string, string?>(), root));
        Console.WriteLine($"Start-up (./build.sh --tree, warm): {Seconds(startup.Median)}.");
        foreach (var latency in latencies)
        {
            await using var pipeline = await PipelineOnCluster.ReadyForDeployAsync();
            var server = pipeline.Server;
            server.Latency = latency;
            var environment = new Dictionary<string, string?>
            {
                ["PATH"] = $"{pipeline.Bin}{Path.PathSeparator}{Environment.GetEnvironmentVariable("PATH")}",
                ["REGISTRY_PASSWORD"] = Password,
                ["HOME"] = pipeline.Cluster.Directory,
            };
            string[] deploy = ["--target=Deploy", $"--kubeconfig={pipeline.Cluster.Kubeconfig}", $"--host={Host}", "--smoke-test=false", $"--artifacts={pipeline.Artifacts}"];
            var first = await TimeAsync(script, deploy, environment, root);
            if (first.ExitCode != 0)
            {
                Console.Error.WriteLine($"The first Deploy failed:{Environment.NewLine}{first.Output}");
                return 1;
            }

            server.ForgetRequests();
            var pipelineRuns = await MedianAsync(repetitions, () => TimeAsync(script, deploy, environment, root, server.ForgetRequests));
            var requests = server.Requests;
            var writes = server.ClusterWrites.Count;
            var line = $"latency {latency.TotalMilliseconds:0} ms: no-op Deploy {Seconds(pipelineRuns.Median)} " +
                $"({Verbs(requests)}; {writes} writes besides the lock; peak memory {pipelineRuns.PeakMebibytes:0} MiB; start-up share {startup.Median / pipelineRuns.Median:0.00})";
            if (kubectl is not null)
            {
                var render = await TimeAsync(script, ["--target=Render", $"--kubeconfig={pipeline.Cluster.Kubeconfig}", $"--host={Host}", "--render-secrets=true", $"--artifacts={pipeline.Artifacts}"], environment, root);
                if (render.ExitCode != 0)
                {
                    Console.Error.WriteLine($"Render failed:{Environment.NewLine}{render.Output}");
                    return 1;
                }

                // The same objects, written by kubectl as their field manager (it takes them over from the pipeline's).
                // client-go sends no token over plain http: kubectl talks to the emulator anonymously.
                server.AllowAnonymous = true;
                // Each run with an empty discovery cache, as on a fresh CI runner: kubectl first asks what the server serves.
                string[] Apply() => ["apply", "--server-side", "--force-conflicts", "--validate=false", "-f", Path.Combine(pipeline.Artifacts, "manifests", "all.yaml"),
                    "--kubeconfig=/dev/null", $"--server={server.Address}", $"--cache-dir={Directory.CreateTempSubdirectory("kubectl-cache-").FullName}"];
                await TimeAsync(kubectl, Apply(), environment, root);
                var kubectlRuns = await MedianAsync(repetitions, () => TimeAsync(kubectl, Apply(), environment, root, server.ForgetRequests));
                line += $"; kubectl apply --server-side {Seconds(kubectlRuns.Median)} ({Verbs(server.Requests)}); ratio {pipelineRuns.Median / kubectlRuns.Median:0.00}";
            }

            Console.WriteLine(line + ".");
        }

        return 0;
    }

    private static async Task<(double Median, double PeakMebibytes)> MedianAsync(int repetitions, Func<Task<Timed>> run)
    {
        var runs = new List<Timed>();
        for (var repetition = 0; repetition < repetitions; repetition++)
        {
            var timed = await run();
            if (timed.ExitCode != 0)
            {
                throw new InvalidOperationException($"A timed run failed:{Environment.NewLine}{timed.Output}");
            }

            runs.Add(timed);
        }

        return (runs.Select(each => each.Seconds).Order().ElementAt(runs.Count / 2), runs.Max(each => each.PeakBytes) / 1048576.0);
    }

    private sealed record Timed(int ExitCode, double Seconds, long PeakBytes, string Output);

    // One run of a process, timed from start to exit; its peak resident memory sampled from /proc while it runs.
    private static async Task<Timed> TimeAsync(string fileName, IEnumerable<string> args, IReadOnlyDictionary<string, string?> environment, string directory, Action? before = null)
    {
        var start = new ProcessStartInfo(fileName) { WorkingDirectory = directory, RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var arg in args)
        {
            start.ArgumentList.Add(arg);
        }

        foreach (var (name, value) in environment)
        {
            start.Environment[name] = value;
        }

        before?.Invoke();
        var clock = Stopwatch.StartNew();
        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        long peak = 0;
        var status = $"/proc/{process.Id}/status";
        while (!process.HasExited)
        {
            peak = Math.Max(peak, HighWaterMark(status));
            await Task.Delay(10);
        }

        await process.WaitForExitAsync();
        var seconds = clock.Elapsed.TotalSeconds;
        return new Timed(process.ExitCode, seconds, peak, await output + await error);
    }

    // VmHWM: the most memory the process has held at once, in kB (the script execs dotnet in the same process).
    private static long HighWaterMark(string status)
    {
        try
        {
            var line = File.ReadLines(status).FirstOrDefault(each => each.StartsWith("VmHWM:", StringComparison.Ordinal));
            return line is null ? 0 : long.Parse(line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1], CultureInfo.InvariantCulture) * 1024;
        }
        catch (IOException)
        {
            return 0;
        }
    }

    private static string Verbs(IReadOnlyList<RecordedRequest> requests) =>
        $"{requests.Count} requests: " + string.Join(", ", requests
            .GroupBy(request => request.Method == "GET" && IsCollection(request.Path) ? "LIST" : request.Method)
            .OrderBy(group => group.Key, StringComparer.Ordinal)
            .Select(group => $"{group.Count()} {group.Key}"));

    // /api/v1/namespaces/ns/secrets, /apis/g/v/deployments: a collection; one more segment names an object.
    private static bool IsCollection(string path)
    {
        var segments = path.Trim('/').Split('/');
        // Discovery (/api, /apis/g/v) and /version are neither.
        var rest = segments[0] == "api" && segments.Length > 2 ? segments[2..] : segments[0] == "apis" && segments.Length > 3 ? segments[3..] : [];
        return rest is [_] or ["namespaces", _, _];
    }

    private static string? Kubectl()
    {
        var onPath = (Environment.GetEnvironmentVariable("PATH") ?? string.Empty).Split(Path.PathSeparator)
            .Select(directory => Path.Combine(directory, "kubectl")).FirstOrDefault(File.Exists);
        return onPath ?? (File.Exists(TestTask.Kubectl.FullPath) ? TestTask.Kubectl.FullPath : null);
    }

    private static string Seconds(double seconds) => $"{seconds:0.000} s";
}
