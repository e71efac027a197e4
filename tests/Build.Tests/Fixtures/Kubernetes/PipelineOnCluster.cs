using Microsoft.Extensions.DependencyInjection;
using Registry.Build.Kubernetes;
using Registry.Build.Prerequisites;
using Registry.Build.Workspace;

namespace Registry.Build.Tests.Fixtures.Kubernetes;

/// <summary>The real pipeline, run in-process against an emulated cluster, with a recording fake helm on PATH.</summary>
public sealed class PipelineOnCluster : IAsyncDisposable
{
    private PipelineOnCluster(EmulatedCluster cluster)
    {
        Cluster = cluster;
        Bin = Path.Combine(cluster.Directory, "bin");
        Artifacts = Path.Combine(cluster.Directory, "artifacts");
        Directory.CreateDirectory(Bin);
        HelmCalls = Path.Combine(cluster.Directory, "helm-calls.txt");
        WriteFakeHelm(Bin, HelmVersionOutput);
        cluster.Server.Installers["ingress-nginx"] = () =>
        {
            SeededState.IngressNginx(cluster.Server, LoadBalancerAddress);
            // minikube's addon installs it too, with no helm call.
            if (HelmInvocations.LastOrDefault(call => call.StartsWith("upgrade --install ingress-nginx ", StringComparison.Ordinal)) is { } upgrade)
            {
                SeededState.ControllerArguments(cluster.Server, upgrade);
            }
        };
        cluster.Server.Installers["cert-manager"] = () => SeededState.CertManager(cluster.Server,
            SeededState.HelmValues(HelmInvocations.Last(call => call.StartsWith("upgrade --install cert-manager ", StringComparison.Ordinal))).GetValueOrDefault("config.gatewayAPI.enabled") == "true");
        // Envoy Gateway's charts make no GatewayClass (the pipeline does); the others make theirs, which their controller accepts.
        cluster.Server.Installers["envoy-gateway-crds"] = () => { };
        cluster.Server.Installers["envoy-gateway"] = () => { };
        cluster.Server.Installers["nginx-gateway-fabric"] = () => SeededState.GatewayClass(cluster.Server, "nginx", "gateway.nginx.org/nginx-gateway-controller", accepted: false);
        cluster.Server.Installers["traefik"] = () => SeededState.TraefikChart(
            cluster.Server, HelmInvocations.Last(call => call.StartsWith("upgrade --install traefik ", StringComparison.Ordinal)), LoadBalancerAddress);
    }

    public const string HelmVersionOutput = "v3.21.0+gabcdef";

    public const string LoadBalancerAddress = "203.0.113.10";

    private RealRegistry? backend;

    public EmulatedCluster Cluster { get; }

    /// <summary>Where the pipeline unpacks a downloaded Helm in these runs.</summary>
    public string Tools => Path.Combine(Cluster.Directory, "tools");

    public EmulatedApiServer Server => Cluster.Server;

    public string Bin { get; }

    public string Artifacts { get; }

    public string HelmCalls { get; }

    /// <summary>Names the resolver answers, as DNS records would.</summary>
    public Dictionary<string, string> DnsRecords { get; } = [];

    public IReadOnlyList<string> HelmInvocations => File.Exists(HelmCalls) ? File.ReadAllLines(HelmCalls) : [];

    /// <summary>
    /// A stand-in helm: records its arguments, reports <paramref name="version"/>, and for <c>upgrade --install NAME</c>
    /// asks the emulator to create what that chart would.
    /// </summary>
    public string FakeHelm(string version) => $"""
        #!/bin/sh
        echo "$*" >> '{HelmCalls}'
        case "$1" in
          version) echo "{version}" ;;
          upgrade) curl -s -f -X POST "{Server.Address.ToString().TrimEnd('/')}/emulator/install/$3" > /dev/null || exit 1 ;;
        esac
        """;

    public void WriteFakeHelm(string directory, string version)
    {
        var helm = Path.Combine(directory, "helm");
        File.WriteAllText(helm, FakeHelm(version));
        if (!OperatingSystem.IsWindows())
        {
            File.SetUnixFileMode(helm, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        }
    }

    /// <summary>A cluster that already has ingress-nginx and cert-manager, with registry.example.com pointing at it.</summary>
    public void SeedPrerequisites()
    {
        SeededState.IngressNginx(Server, LoadBalancerAddress);
        SeededState.CertManager(Server);
        DnsRecords["registry.example.com"] = LoadBalancerAddress;
    }

    /// <summary>
    /// A cluster with the prerequisites, whose service proxy reaches a real registry asking for a login, as a
    /// deployed one would: a whole Deploy succeeds on it.
    /// </summary>
    public static async Task<PipelineOnCluster> ReadyForDeployAsync()
    {
        var pipeline = await StartAsync();
        pipeline.SeedPrerequisites();
        pipeline.backend = await RealRegistry.AskingForLoginAsync();
        pipeline.Server.ServiceBackends["docker-registry/docker-registry:5000"] = pipeline.backend.Address;
        return pipeline;
    }

    public static async Task<PipelineOnCluster> StartAsync(ControllerBehaviour? behaviour = null) =>
        new(await EmulatedCluster.StartAsync(behaviour));

    public Task<HostRun> RunAsync(params string[] args) => RunAsync(args, []);

    public Task<HostRun> RunAsync(string[] args, Dictionary<string, string> environment)
    {
        var host = Pipeline.Create().ConfigureServices(services => services
            .AddSingleton(EmulatedCluster.FastRetries)
            .AddSingleton(new WaitPolling(TimeSpan.FromMilliseconds(25)))
            .AddSingleton<HostResolver>(new FixedHostResolver(DnsRecords))
            .AddSingleton(new ToolsDirectory(new Cake.Core.IO.DirectoryPath(Tools))));
        environment.TryAdd("PATH", $"{Bin}{Path.PathSeparator}{Environment.GetEnvironmentVariable("PATH")}");
        string[] defaults = args.Any(arg => arg.StartsWith("--kubeconfig=", StringComparison.Ordinal)) ? [] : [$"--kubeconfig={Cluster.Kubeconfig}"];
        return HostRun.Of(host, [.. defaults, .. args, $"--artifacts={Artifacts}"], environment, Cluster.Directory);
    }

    public async ValueTask DisposeAsync()
    {
        if (backend is not null)
        {
            await backend.DisposeAsync();
        }

        await Cluster.DisposeAsync();
    }
}
