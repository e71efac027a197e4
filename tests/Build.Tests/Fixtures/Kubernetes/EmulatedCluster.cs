using Cake.Core.IO;
using Registry.Build.Kubernetes;
using Registry.Build.Settings;

namespace Registry.Build.Tests.Fixtures.Kubernetes;

/// <summary>An emulated API server, a kubeconfig for it, and the pipeline's connection to it.</summary>
public sealed class EmulatedCluster : IAsyncDisposable
{
    /// <summary>Retries fast enough for tests, with the same policy shape as production.</summary>
    public static readonly RetryOptions FastRetries = new()
    {
        BaseDelay = TimeSpan.FromMilliseconds(10),
        MaxDelay = TimeSpan.FromSeconds(2),
        AttemptTimeout = TimeSpan.FromSeconds(5),
    };

    private readonly TemporaryDirectory directory = new();

    private EmulatedCluster(EmulatedApiServer server)
    {
        Server = server;
        Kubeconfig = server.WriteKubeconfig(directory.Path);
    }

    public EmulatedApiServer Server { get; }

    public string Kubeconfig { get; }

    public RecordingLog Log { get; } = new();

    public string Directory => directory.Path;

    public static async Task<EmulatedCluster> StartAsync(ControllerBehaviour? behaviour = null) =>
        new(await EmulatedApiServer.StartAsync(behaviour));

    public ClusterConnector Connector(RegistrySettings? settings = null, RetryOptions? retry = null, IReadOnlyDictionary<string, string>? environment = null) =>
        new(
            settings ?? new RegistrySettings { Kubeconfig = new FilePath(Kubeconfig) },
            new TestEnvironment(environment ?? new Dictionary<string, string>(), directory.Path),
            Log,
            retry ?? FastRetries);

    public async Task<Cluster> ConnectAsync() => await Connector().ConnectAsync(CancellationToken.None);

    public async Task<ObjectApplier> ApplierAsync() => new((await ConnectAsync()).Api, Log);

    public async ValueTask DisposeAsync()
    {
        await Server.DisposeAsync();
        directory.Dispose();
    }
}
