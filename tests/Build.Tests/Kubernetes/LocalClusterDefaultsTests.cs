using Registry.Build.Settings;
using Registry.Build.Tests.Fixtures;

namespace Registry.Build.Tests.Kubernetes;

/// <summary>./build.sh alone deploys to a local cluster: no host, no tls, no settings at all.</summary>
public sealed class LocalClusterDefaultsTests : IDisposable
{
    private readonly TemporaryDirectory directory = new();

    public void Dispose() => directory.Dispose();

    [Theory]
    [InlineData("kind-kind")]
    [InlineData("minikube")]
    [InlineData("k3d-dev")]
    [InlineData("docker-desktop")]
    public async Task A_local_cluster_context_with_no_host_deploys_as_localhost_with_the_private_ca(string context)
    {
        var run = await Validate(context);

        Assert.Equal(0, run.ExitCode);
        Assert.Matches($@"host\s+localhost\s+\(default for the local cluster context {context}\)", run.Output);
        Assert.Matches(@"tls\s+selfsigned", run.Output);
    }

    [Fact]
    public async Task A_host_given_is_kept()
    {
        var run = await Validate("kind-kind", "--host=registry.example.com");

        Assert.Matches(@"host\s+registry\.example\.com\s+\(from the command line\)", run.Output);
    }

    [Fact]
    public async Task A_remote_cluster_still_needs_a_host()
    {
        var run = await Validate("gke_acme_europe-west1_prod");

        Assert.Equal(2, run.ExitCode);
        Assert.Contains("host: is required to deploy", run.Output);
    }

    [Fact]
    public async Task Lets_encrypt_never_gets_localhost()
    {
        var run = await Validate("kind-kind", "--tls=letsencrypt", "--acme-email=ops@example.com");

        Assert.Equal(2, run.ExitCode);
        Assert.Contains("host: is required to deploy", run.Output);
    }

    [Fact]
    public async Task The_context_asked_for_counts_rather_than_the_current_one()
    {
        var run = await Validate("gke_acme_europe-west1_prod", "--kube-context=kind-kind");

        Assert.Equal(0, run.ExitCode);
        Assert.Contains("default for the local cluster context kind-kind", run.Output);
    }

    private Task<HostRun> Validate(string currentContext, params string[] args)
    {
        var kubeconfig = directory.Write("config", $"""
            apiVersion: v1
            kind: Config
            clusters:
            - name: c
              cluster: {"{"}server: https://127.0.0.1:6443{"}"}
            contexts:
            - name: {currentContext}
              context: {"{"}cluster: c, user: u{"}"}
            - name: kind-kind
              context: {"{"}cluster: c, user: u{"}"}
            current-context: {currentContext}
            users:
            - name: u
              user: {"{"}token: t{"}"}
            """);
        return HostRun.Of(Pipeline.Create(), ["--target=Validate", .. args], new Dictionary<string, string> { ["KUBECONFIG"] = kubeconfig });
    }
}
