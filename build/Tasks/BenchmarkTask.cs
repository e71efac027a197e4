using System.Diagnostics;
using System.Text;
using System.Text.Json.Nodes;
using Cake.Common.Diagnostics;
using Cake.Common.Tools.DotNet;
using Cake.Common.Tools.DotNet.Run;
using Cake.Core;
using Registry.Build.Host;
using Registry.Build.Registry;
using Registry.Build.Registry.Oci;
using Registry.Build.Settings;
using Registry.Build.Tools.Skopeo;
using Registry.Build.Workspace;

namespace Registry.Build.Tasks;

[TaskName("Benchmark")]
[TaskDescription("Push the same large layer with the smoke test's client and with skopeo copy, and compare (needs registry-url and skopeo); with benchmark=converge, a no-op Deploy against kubectl apply --server-side.")]
public sealed class BenchmarkTask(SkopeoRunner skopeo) : AsyncRegistryTask<BuildContext>
{
    private const int Repetitions = 6;

    public override async Task RunAsync(BuildContext context)
    {
        var settings = context.Settings;
        if (settings.Benchmark == BenchmarkKind.Converge)
        {
            // It runs the pipeline and kubectl against the tests' emulated API server, so it is built with the tests.
            context.DotNetRun(SourceTree.Root.CombineWithFilePath("tests/Benchmarks/Benchmarks.csproj").FullPath, new Cake.Core.IO.ProcessArgumentBuilder().Append("converge"),
                new DotNetRunSettings { Configuration = "Release" });
            return;
        }

        if (settings.RegistryUrl is not { } registryUrl || settings.Password is not { } password || !skopeo.IsInstalled)
        {
            throw new CakeException("Benchmark needs registry-url, the user's password ($REGISTRY_PASSWORD) and skopeo on PATH (apt-get install skopeo); see README.md.");
        }

        var url = new Uri(registryUrl.TrimEnd('/') + "/");
        var size = settings.SmokeLayerSize is { } text && ByteSize.TryParse(text, out var bytes) ? bytes : 256L << 20;
        var login = new Credential(settings.User, password);
        var work = settings.Artifacts.Combine("benchmark").FullPath;
        var layout = Path.Combine(work, "layout");
        var authFile = Path.Combine(Path.GetTempPath(), $"registry-pipeline-bench-{Guid.NewGuid():N}.json");
        // Created readable by this user alone, and deleted when done: it holds the password.
        var options = new FileStreamOptions { Mode = FileMode.CreateNew, Access = FileAccess.Write };
        if (!OperatingSystem.IsWindows())
        {
            options.UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;
        }

        await using (var file = new FileStream(authFile, options))
        {
            await file.WriteAsync(Encoding.UTF8.GetBytes(new JsonObject
            {
                ["auths"] = new JsonObject { [url.Authority] = new JsonObject { ["auth"] = Convert.ToBase64String(Encoding.UTF8.GetBytes($"{login.User}:{password.Reveal()}")) } },
            }.ToJsonString()), context.Cancellation);
        }

        var ours = new List<double>();
        var theirs = new List<double>();
        try
        {
            using var client = new RegistryClient(url, login, new RegistryTrust(null, settings.InsecureSkipTlsVerify));
            for (var repetition = 1; repetition <= Repetitions; repetition++)
            {
                // Both tools push the same bytes from the same files; a new layer each repetition, so neither
                // can mount one it pushed before instead of uploading it.
                if (Directory.Exists(layout))
                {
                    Directory.Delete(layout, recursive: true);
                }

                var image = await OciLayout.WriteAsync(
                    await SmokeImage.LargeAsync(size, (ulong)Random.Shared.NextInt64(1, long.MaxValue), context.Cancellation), layout, "bench", context.Cancellation);
                async Task Ours()
                {
                    var clock = Stopwatch.StartNew();
                    var repository = $"bench/pipeline-{DateTime.UtcNow:HHmmssfff}-{repetition}";
                    await client.PushBlobAsync(repository, image.Config, SmokeTest.ChunkSize, context.Cancellation);
                    await client.PushBlobAsync(repository, image.Layer, SmokeTest.ChunkSize, context.Cancellation);
                    await client.PutManifestAsync(repository, "bench", image.Manifest, SmokeImage.ManifestMediaType, context.Cancellation);
                    ours.Add(clock.Elapsed.TotalSeconds);
                }

                void Theirs()
                {
                    var clock = Stopwatch.StartNew();
                    skopeo.Copy($"oci:{layout}:bench", $"docker://{url.Authority}/bench/skopeo-{DateTime.UtcNow:HHmmssfff}-{repetition}:bench", authFile, url.Scheme == "https" && !settings.InsecureSkipTlsVerify);
                    theirs.Add(clock.Elapsed.TotalSeconds);
                }

                // Each goes first every other time, as often as the other: the second finds the registry's store still
                // writing back what the first pushed.
                if (repetition % 2 == 1)
                {
                    await Ours();
                    Theirs();
                }
                else
                {
                    Theirs();
                    await Ours();
                }

                var line = $"repetition {repetition}: pipeline {ours[^1]:0.000}s, skopeo {theirs[^1]:0.000}s";
                context.Information(line);
            }
        }
        finally
        {
            File.Delete(authFile);
            if (Directory.Exists(layout))
            {
                Directory.Delete(layout, recursive: true);
            }
        }

        var (medianOurs, medianTheirs) = (Median(ours), Median(theirs));
        var peak = Process.GetCurrentProcess().PeakWorkingSet64;
        var summary = $"Pushing {ByteSize.Format(size)} ({Repetitions} repetitions, medians): pipeline {medianOurs:0.000}s " +
            $"({ByteSize.Format((long)(size / medianOurs))}/s), skopeo {medianTheirs:0.000}s ({ByteSize.Format((long)(size / medianTheirs))}/s), " +
            $"ratio {medianOurs / medianTheirs:0.00}; the pipeline's peak memory {ByteSize.Format(peak)}.";
        context.Information(summary);
    }

    private static double Median(List<double> values)
    {
        var sorted = values.Order().ToList();
        return sorted.Count % 2 == 1 ? sorted[sorted.Count / 2] : (sorted[(sorted.Count / 2) - 1] + sorted[sorted.Count / 2]) / 2;
    }
}
