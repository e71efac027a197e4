using System.Net;
using System.Net.Sockets;
using Registry.Build.Workspace;

namespace Registry.Build.Tests.Fixtures;

/// <summary>
/// A real S3 API on 127.0.0.1: a single-node Ceph Object Gateway (ceph-object-gateway.sh) with one bucket, started
/// for a test class and thrown away after it. Its objects live in memory.
/// </summary>
public sealed class CephObjectGateway : IAsyncLifetime
{
    public const string Bucket = "registry";

    private static readonly string Script = SourceTree.Root.CombineWithFilePath("tests/Build.Tests/Fixtures/ceph-object-gateway.sh").FullPath;

    private readonly TemporaryDirectory directory = new();

    public Uri Endpoint { get; private set; } = null!;

    public string AccessKey { get; private set; } = string.Empty;

    public string SecretKey { get; private set; } = string.Empty;

    public async Task InitializeAsync()
    {
        if (!File.Exists("/usr/bin/radosgw") || !File.Exists("/usr/bin/ceph-osd"))
        {
            throw new InvalidOperationException(
                "radosgw or ceph-osd is missing: the shared-store tests run the registry on a real S3 API. " +
                "Install them with 'sudo apt-get install --no-install-recommends radosgw ceph-mon ceph-osd ceph-common' (./build.sh --target=Test does it when it runs as root).");
        }

        var started = await Command.Run(
            "bash", [Script, "start", Path.Combine(directory.Path, "ceph"), FreePort().ToString(System.Globalization.CultureInfo.InvariantCulture)], directory.Path,
            new Dictionary<string, string?> { ["RGW_BUCKET"] = Bucket, ["MON_PORT"] = FreePort().ToString(System.Globalization.CultureInfo.InvariantCulture) });
        if (started.ExitCode != 0)
        {
            var logs = Directory.Exists(Path.Combine(directory.Path, "ceph", "log"))
                ? string.Join(Environment.NewLine, Directory.GetFiles(Path.Combine(directory.Path, "ceph", "log")).Select(file => $"{file}:{Environment.NewLine}{Tail(file)}"))
                : string.Empty;
            throw new InvalidOperationException($"The Ceph Object Gateway did not start:{Environment.NewLine}{started.Output}{started.Error}{logs}");
        }

        var values = started.Output.Split('\n', StringSplitOptions.RemoveEmptyEntries)
            .Select(line => line.Split('=', 2)).Where(pair => pair.Length == 2).ToDictionary(pair => pair[0], pair => pair[1].Trim());
        Endpoint = new Uri(values["S3_ENDPOINT"]);
        AccessKey = values["S3_ACCESS_KEY"];
        SecretKey = values["S3_SECRET_KEY"];
    }

    public async Task DisposeAsync()
    {
        await Command.Run("bash", [Script, "stop", Path.Combine(directory.Path, "ceph")], directory.Path);
        directory.Dispose();
    }

    private static string Tail(string file) => string.Join(Environment.NewLine, File.ReadLines(file).TakeLast(15));

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
