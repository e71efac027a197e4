using Registry.Build.Manifests;
using Registry.Build.Registry;
using Registry.Build.Settings;
using Registry.Build.State;
using Registry.Build.Tasks;
using Registry.Build.Tests.Fixtures;
using k8s.Models;

namespace Registry.Build.Tests.Registry;

/// <summary>SmokeTest against the real registry server, over plain HTTP and over TLS from a test CA.</summary>
public sealed class SmokeTestTests : IAsyncLifetime
{
    private const string Password = "Smoke-Passw0rd-42";
    private readonly TemporaryDirectory directory = new();
    private TestCertificates certificates = null!;
    private readonly List<RealRegistry> registries = [];

    public Task InitializeAsync()
    {
        certificates = new TestCertificates(directory.Path);
        return Task.CompletedTask;
    }

    public async Task DisposeAsync()
    {
        foreach (var registry in registries)
        {
            await registry.DisposeAsync();
        }

        directory.Dispose();
    }

    [Fact]
    public async Task The_full_smoke_test_passes_over_http_and_never_prints_the_password()
    {
        var registry = await Start(tls: false);

        var run = await Smoke(registry);

        Assert.True(run.ExitCode == 0, run.Output);
        Assert.Contains("GET /v2/ without credentials: 401 with Basic", run.Output);
        Assert.Contains("A wrong password is refused with 401.", run.Output);
        Assert.Contains("User admin logs in.", run.Output);
        Assert.Matches(@"Pushed smoke/registry-pipeline:smoke-\S+ \(sha256:[0-9a-f]{64}\), an image index for linux/amd64 and linux/arm64\.", run.Output);
        Assert.Contains("is listed in the catalog and its tags.", run.Output);
        Assert.Contains("Pulled the index, 2 manifests and 3 blobs back; every digest matches.", run.Output);
        Assert.Matches(@"Deleted smoke/registry-pipeline@sha256:[0-9a-f]{64}", run.Output);
        AssertNoPassword(run);
    }

    [Fact]
    public async Task A_wrong_password_fails_with_a_clear_message()
    {
        var registry = await Start(tls: false);

        var run = await Smoke(registry, password: "not-the-password");

        Assert.Equal(1, run.ExitCode);
        Assert.Contains($"The registry at {registry.Address} refused user admin's password (401 Unauthorized).", run.Output);
        Assert.DoesNotContain("not-the-password", run.Output);
    }

    [Fact]
    public async Task Over_tls_the_exported_private_ca_is_trusted()
    {
        var registry = await Start(tls: true);
        var artifacts = Path.Combine(directory.Path, "artifacts");
        Directory.CreateDirectory(artifacts);
        await File.WriteAllTextAsync(Path.Combine(artifacts, "ca.crt"), certificates.CaPem);

        var run = await Smoke(registry, extra: ["--tls=selfsigned", $"--artifacts={artifacts}"]);

        Assert.True(run.ExitCode == 0, run.Output);
        Assert.Contains("every digest matches", run.Output);
        AssertNoPassword(run);
    }

    [Fact]
    public async Task An_untrusted_certificate_fails_with_how_to_trust_the_ca()
    {
        var registry = await Start(tls: true);

        var run = await Smoke(registry, extra: [$"--artifacts={Path.Combine(directory.Path, "no-ca-here")}"]);

        Assert.Equal(1, run.ExitCode);
        Assert.Contains($"The registry at {registry.Address} presents a certificate this runner does not trust: its issuer is not trusted", run.Output);
        Assert.Contains($"/etc/docker/certs.d/{registry.Address.Authority}/ca.crt", run.Output);
        Assert.Contains($"/etc/containerd/certs.d/{registry.Address.Authority}/hosts.toml", run.Output);
        Assert.DoesNotContain("   at ", run.Output);
    }

    [Fact]
    public async Task Skipping_tls_verification_works_and_warns()
    {
        var registry = await Start(tls: true);

        var run = await Smoke(registry, extra: ["--insecure-skip-tls-verify=true"]);

        Assert.Equal(0, run.ExitCode);
        Assert.Contains("insecure-skip-tls-verify is true", run.Output);
    }

    [Fact]
    public async Task With_deletes_disabled_the_smoke_test_passes_and_says_it_skipped_the_delete()
    {
        var registry = await Start(tls: false, environment: new Dictionary<string, string> { ["REGISTRY_STORAGE_DELETE_ENABLED"] = "false" });

        var run = await Smoke(registry);

        Assert.Equal(0, run.ExitCode);
        Assert.Contains("Deletes are disabled on this registry (storage.delete.enabled is false)", run.Output);
        Assert.Contains("Skipping the delete.", run.Output);
    }

    [Fact]
    public async Task A_large_layer_is_pushed_and_pulled_back_and_the_throughput_is_reported()
    {
        var registry = await Start(tls: false);

        var run = await Smoke(registry, extra: ["--smoke-layer-size=20MiB"]);

        Assert.Equal(0, run.ExitCode);
        Assert.Matches(@"Pushed sha256:[0-9a-f]{64} \(20 MiB\) in [\d.]+s: [\d.]+ [KMG]iB/s\.", run.Output);
    }

    [Fact]
    public async Task A_large_smoke_run_deletes_the_blobs_it_pushed_so_it_leaves_no_layer_behind()
    {
        var registry = await Start(tls: false);
        using var client = new Build.Registry.Oci.RegistryClient(registry.Address, new Credential("admin", new Secret(Password)), new Build.Registry.Oci.RegistryTrust(null, false));

        var run = await Smoke(registry, extra: ["--smoke-layer-size=4MiB"]);

        Assert.True(run.ExitCode == 0, run.Output);
        var pushed = System.Text.RegularExpressions.Regex.Matches(run.Output, @"Pushed (sha256:[0-9a-f]{64}) \(").Select(match => match.Groups[1].Value).ToList();
        Assert.Equal(3, pushed.Count);
        Assert.Contains("and the 3 blobs this run pushed.", run.Output);
        foreach (var digest in pushed)
        {
            Assert.False(await client.BlobExistsAsync("smoke/registry-pipeline", digest, CancellationToken.None), $"{digest} was left behind");
        }
    }

    [Fact]
    public async Task The_guides_docker_path_logs_in_with_the_password_on_stdin_then_pulls_tags_and_pushes()
    {
        var registry = await Start(tls: false);
        using var bin = new TemporaryDirectory();
        var calls = Path.Combine(bin.Path, "calls");
        var stdin = Path.Combine(bin.Path, "stdin");
        var docker = Path.Combine(bin.Path, "docker");
        await File.WriteAllTextAsync(docker, $"#!/bin/sh\necho \"$*\" >> '{calls}'\ncase \"$1\" in login) cat > '{stdin}' ;; esac\n");
        File.SetUnixFileMode(docker, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);

        var run = await HostRun.Of(
            Pipeline.Create(),
            ["--target=SmokeTest", "--exclusive", $"--registry-url={registry.Address}", "--smoke-docker=true"],
            new Dictionary<string, string> { ["REGISTRY_PASSWORD"] = Password, ["HOME"] = directory.Path, ["PATH"] = $"{bin.Path}:{Environment.GetEnvironmentVariable("PATH")}" },
            directory.Path);

        Assert.True(run.ExitCode == 0, run.Output);
        var host = registry.Address.Authority;
        Assert.Equal(
            [$"login {host} --username admin --password-stdin", "pull busybox:1.37", $"tag busybox:1.37 {host}/smoke/busybox:registry-pipeline", $"push {host}/smoke/busybox:registry-pipeline"],
            await File.ReadAllLinesAsync(calls));
        Assert.Equal(Password, (await File.ReadAllTextAsync(stdin)).Trim());
        AssertNoPassword(run);
    }

    [Fact]
    public async Task The_smoke_image_index_is_read_by_skopeo_and_copies_as_arm64()
    {
        var registry = await Start(tls: false);
        var login = new Credential("admin", new Secret(Password));
        var authFile = Path.Combine(directory.Path, "auth.json");
        await File.WriteAllTextAsync(authFile, PullSecret.DockerConfigJson(registry.Address.Authority, login));
        var log = new RecordingLog();
        string? raw = null;
        Command? copy = null;
        var layout = Path.Combine(directory.Path, "arm64");

        // While the image exists: the hook is where the cluster pulls it in a deploy.
        await new SmokeTest(log).RunAsync(registry.Address, login, new Build.Registry.Oci.RegistryTrust(null, false), null, async (pushed, _) =>
        {
            var reference = $"docker://{registry.Address.Authority}/{pushed.Repository}@{pushed.Digest}";
            var inspect = await Command.Run("skopeo", ["inspect", "--raw", "--tls-verify=false", $"--authfile={authFile}", reference], directory.Path, Unproxied);
            Assert.True(inspect.ExitCode == 0, inspect.Error);
            raw = inspect.Output;
            copy = await Command.Run(
                "skopeo", ["copy", "--override-arch", "arm64", "--src-tls-verify=false", $"--authfile={authFile}", reference, $"oci:{layout}:arm64"], directory.Path, Unproxied);
        }, CancellationToken.None);

        var index = System.Text.Json.Nodes.JsonNode.Parse(raw!)!;
        Assert.Equal("application/vnd.oci.image.index.v1+json", index["mediaType"]!.GetValue<string>());
        Assert.Equal(["linux/amd64", "linux/arm64"], index["manifests"]!.AsArray().Select(each => $"{each!["platform"]!["os"]}/{each["platform"]!["architecture"]}"));
        Assert.True(copy!.ExitCode == 0, copy.Error);
        var copied = System.Text.Json.Nodes.JsonNode.Parse(await File.ReadAllTextAsync(Path.Combine(layout, "index.json")))!["manifests"]![0]!["digest"]!.GetValue<string>();
        var manifest = System.Text.Json.Nodes.JsonNode.Parse(await File.ReadAllTextAsync(Path.Combine(layout, "blobs", "sha256", copied["sha256:".Length..])))!;
        var config = System.Text.Json.Nodes.JsonNode.Parse(await File.ReadAllTextAsync(Path.Combine(layout, "blobs", "sha256", manifest["config"]!["digest"]!.GetValue<string>()["sha256:".Length..])))!;
        Assert.Equal("arm64", config["architecture"]!.GetValue<string>());
        Assert.Equal(index["manifests"]![1]!["digest"]!.GetValue<string>(), copied);
        Assert.Contains("Deleted smoke/registry-pipeline@", log.Text);
    }

    // skopeo honours the machine's proxy settings; the registry is on loopback.
    private static readonly IReadOnlyDictionary<string, string?> Unproxied = new Dictionary<string, string?> { ["HTTPS_PROXY"] = null, ["HTTP_PROXY"] = null, ["https_proxy"] = null, ["http_proxy"] = null };

    [Fact]
    public async Task A_blob_pushed_in_many_chunks_comes_back_identical()
    {
        var registry = await Start(tls: false);
        using var client = new Build.Registry.Oci.RegistryClient(registry.Address, new Credential("admin", new Secret(Password)), new Build.Registry.Oci.RegistryTrust(null, false));
        var blob = await Build.Registry.Oci.Blob.FromStreamAsync(
            "application/octet-stream", () => new Build.Registry.Oci.PseudoRandomStream((5L << 20) + 12345, 7), CancellationToken.None);

        await client.PushBlobAsync("chunks/test", blob, chunkSize: 1L << 20, CancellationToken.None);
        var (digest, size) = await client.PullBlobAsync("chunks/test", blob.Digest, CancellationToken.None);

        Assert.Equal(blob.Digest, digest);
        Assert.Equal(blob.Size, size);
        Assert.True(await client.BlobExistsAsync("chunks/test", blob.Digest, CancellationToken.None));
    }

    private async Task<RealRegistry> Start(bool tls, IReadOnlyDictionary<string, string>? environment = null)
    {
        var settings = new RegistrySettings { Host = "localhost", Password = new Secret(Password) };
        var credentials = await RegistryCredentials.ResolveAsync(settings, null, CancellationToken.None);
        var state = new Declaration(ManifestTemplates.InSourceTree()).Build(settings, credentials, ownsNamespace: true);
        var config = state.Of<RegistryConfigTask>().OfType<V1ConfigMap>().Single();
        var registry = await RealRegistry.StartAsync(
            config.Data["config.yml"],
            credentials.Htpasswd,
            tls: tls ? (certificates.ServerCertificate, certificates.ServerKey) : null,
            environment: environment);
        registries.Add(registry);
        return registry;
    }

    private Task<HostRun> Smoke(RealRegistry registry, string password = Password, string[]? extra = null) => HostRun.Of(
        Pipeline.Create(),
        ["--target=SmokeTest", "--exclusive", $"--registry-url={registry.Address}", .. extra ?? []],
        new Dictionary<string, string> { ["REGISTRY_PASSWORD"] = password, ["HOME"] = directory.Path },
        directory.Path);

    private void AssertNoPassword(HostRun run)
    {
        Assert.DoesNotContain(Password, run.Output);
        foreach (var file in Directory.EnumerateFiles(directory.Path, "*", SearchOption.AllDirectories))
        {
            Assert.DoesNotContain(Password, File.ReadAllText(file));
        }
    }
}
