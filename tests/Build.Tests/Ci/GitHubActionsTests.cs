using Registry.Build.Registry;
using Registry.Build.Tests.Fixtures;
using Registry.Build.Tests.Fixtures.Kubernetes;
using Registry.Build.Workspace;

namespace Registry.Build.Tests.Ci;

/// <summary>A whole Deploy through build.sh, as a GitHub Actions job runs it, against an emulated cluster.</summary>
public sealed class GitHubActionsTests : IAsyncLifetime
{
    private const string Password = "GitHub-Actions-Passw0rd";
    private EmulatedCluster cluster = null!;
    private RealRegistry backend = null!;

    public async Task InitializeAsync()
    {
        cluster = await EmulatedCluster.StartAsync();
        SeededState.IngressNginx(cluster.Server, PipelineOnCluster.LoadBalancerAddress);
        SeededState.CertManager(cluster.Server);
        backend = await RealRegistry.AskingForLoginAsync();
        cluster.Server.ServiceBackends["docker-registry/docker-registry:5000"] = backend.Address;
    }

    public async Task DisposeAsync()
    {
        await backend.DisposeAsync();
        await cluster.DisposeAsync();
    }

    [Fact]
    public async Task Secrets_are_masked_before_anything_groups_are_balanced_a_summary_is_written_and_the_password_shows_nowhere()
    {
        var summary = Path.Combine(cluster.Directory, "step-summary.md");
        var artifacts = Path.Combine(cluster.Directory, "artifacts");

        var run = await Command.Run(
            "/bin/bash",
            [Path.Combine(SourceTree.Root.FullPath, "build.sh"), "--host=registry.example.com", "--smoke-test=false", $"--kubeconfig={cluster.Kubeconfig}", $"--artifacts={artifacts}"],
            cluster.Directory,
            new Dictionary<string, string?>
            {
                ["GITHUB_ACTIONS"] = "true",
                ["GITHUB_STEP_SUMMARY"] = summary,
                ["REGISTRY_PASSWORD"] = Password,
                ["HOME"] = cluster.Directory,
                ["TF_BUILD"] = null,
            });

        Assert.True(run.ExitCode == 0, run.Output + run.Error);
        var lines = run.Output.Split('\n').Select(line => line.TrimEnd('\r')).ToList();
        var masks = lines.Select((line, index) => (line, index)).Where(entry => entry.line.StartsWith("::add-mask::", StringComparison.Ordinal)).ToList();
        var firstGroup = lines.FindIndex(line => line.StartsWith("::group::", StringComparison.Ordinal));
        Assert.Contains(masks, mask => mask.line == $"::add-mask::{Password}");
        Assert.True(masks.Count >= 2, "the generated http.secret is masked too");
        Assert.True(masks.First(mask => mask.line.EndsWith(Password, StringComparison.Ordinal)).index < firstGroup, "the password was masked after the first group began");

        var depth = 0;
        foreach (var line in lines)
        {
            depth += line.StartsWith("::group::", StringComparison.Ordinal) ? 1 : line.StartsWith("::endgroup::", StringComparison.Ordinal) ? -1 : 0;
            Assert.InRange(depth, 0, 1);
        }

        Assert.Equal(0, depth);
        Assert.Contains("::group::Workload", lines);
        var page = await File.ReadAllTextAsync(summary);
        Assert.Contains("## Registry pipeline: Deploy succeeded", page);
        Assert.Contains("Registry: https://registry.example.com", page);
        Assert.True(System.Text.RegularExpressions.Regex.IsMatch(page, @"\| Workload \| [\d:.]+ \| Executed \|"), page);

        Assert.All(lines.Where(line => !line.StartsWith("::add-mask::", StringComparison.Ordinal)), line => Assert.DoesNotContain(Password, line));
        Assert.DoesNotContain(Password, run.Error);
        Assert.All(Directory.EnumerateFiles(artifacts, "*", SearchOption.AllDirectories), file => Assert.DoesNotContain(Password, File.ReadAllText(file)));
    }

    [Fact]
    public async Task On_azure_pipelines_tasks_are_groups_secrets_are_secret_variables_and_a_failure_is_a_logissue()
    {
        var run = await Command.Run(
            "/bin/bash",
            [Path.Combine(SourceTree.Root.FullPath, "build.sh"), "--target=IngressController", "--host=registry.example.com", "--ingress-controller=existing", "--ingress-class=haproxy", $"--kubeconfig={cluster.Kubeconfig}"],
            cluster.Directory,
            new Dictionary<string, string?>
            {
                ["TF_BUILD"] = "True", ["GITHUB_ACTIONS"] = null, ["HOME"] = cluster.Directory, ["REGISTRY_PASSWORD"] = Password,
                ["AGENT_NAME"] = "test-agent", ["BUILD_ARTIFACTSTAGINGDIRECTORY"] = Path.Combine(cluster.Directory, "staging"),
            });

        var lines = run.Output.Split('\n').Select(line => line.TrimEnd('\r')).ToList();
        Assert.Equal(1, run.ExitCode);
        Assert.Contains("##[group]IngressController", lines);
        Assert.Equal(lines.Count(line => line.StartsWith("##[group]", StringComparison.Ordinal)), lines.Count(line => line.StartsWith("##[endgroup]", StringComparison.Ordinal)));
        Assert.Contains(lines, line => line.StartsWith("##vso[task.setvariable", StringComparison.Ordinal) && line.Contains("issecret=true", StringComparison.Ordinal) && line.EndsWith(Password, StringComparison.Ordinal));
        Assert.Contains(lines, line => line.StartsWith("##vso[task.logissue type=error", StringComparison.Ordinal) && line.Contains("IngressController failed: ingress-controller is existing", StringComparison.Ordinal));
        Assert.All(lines.Where(line => !line.StartsWith("##vso[task.setvariable", StringComparison.Ordinal)), line => Assert.DoesNotContain(Password, line));
    }

    [Fact]
    public async Task On_azure_pipelines_a_key_file_of_several_lines_is_masked_line_by_line_and_no_line_of_it_reaches_the_log()
    {
        const string PrivateLine = "MIIEvQIBADANBgkqhkiG9w0BAQEFAASCBKcwggSjAgEAAoIBAQC7canary";
        var key = Path.Combine(cluster.Directory, "gcs-key.json");
        await File.WriteAllTextAsync(key, $"{{\n  \"type\": \"service_account\",\n  \"private_key\": \"-----BEGIN PRIVATE KEY-----\\n{PrivateLine}\\n-----END PRIVATE KEY-----\\n\",\n  \"client_email\": \"registry@acme.iam.gserviceaccount.com\"\n}}\n");

        var run = await Command.Run(
            "/bin/bash",
            [Path.Combine(SourceTree.Root.FullPath, "build.sh"), "--target=Render", "--host=registry.example.com", "--storage=gcs", "--gcs-bucket=images", $"--gcs-key-file={key}", $"--artifacts={Path.Combine(cluster.Directory, "artifacts")}"],
            cluster.Directory,
            new Dictionary<string, string?> { ["TF_BUILD"] = "True", ["GITHUB_ACTIONS"] = null, ["HOME"] = cluster.Directory, ["AGENT_NAME"] = "test-agent" });

        var lines = run.Output.Split('\n').Select(line => line.TrimEnd('\r')).ToList();
        Assert.True(run.ExitCode == 0, run.Output);
        Assert.Contains(lines, line => line.StartsWith("##vso[task.setvariable", StringComparison.Ordinal) && line.Contains("issecret=true", StringComparison.Ordinal) && line.Contains(PrivateLine, StringComparison.Ordinal));
        Assert.All(lines.Where(line => !line.StartsWith("##vso[task.setvariable", StringComparison.Ordinal)), line => Assert.DoesNotContain("canary", line));
        Assert.DoesNotContain(lines, line => line.Trim() == "{");
    }

    [Fact]
    public async Task A_failed_step_becomes_an_error_annotation()
    {
        var run = await Command.Run(
            "/bin/bash",
            [Path.Combine(SourceTree.Root.FullPath, "build.sh"), "--target=IngressController", "--host=registry.example.com", "--ingress-controller=existing", "--ingress-class=haproxy", $"--kubeconfig={cluster.Kubeconfig}"],
            cluster.Directory,
            new Dictionary<string, string?> { ["GITHUB_ACTIONS"] = "true", ["HOME"] = cluster.Directory, ["TF_BUILD"] = null, ["GITHUB_STEP_SUMMARY"] = Path.Combine(cluster.Directory, "summary.md") });

        Assert.Equal(1, run.ExitCode);
        Assert.Contains("::error title=IngressController failed::ingress-controller is existing, but there is no IngressClass haproxy.", run.Output);
    }

    [Fact]
    public async Task A_render_with_secrets_masks_every_secret_value_before_writing_it()
    {
        var artifacts = Path.Combine(cluster.Directory, "artifacts");

        var run = await Command.Run(
            "/bin/bash",
            [Path.Combine(SourceTree.Root.FullPath, "build.sh"), "--target=Render", "--host=registry.example.com", "--render-secrets=true", $"--artifacts={artifacts}", $"--kubeconfig={cluster.Kubeconfig}"],
            cluster.Directory,
            new Dictionary<string, string?> { ["GITHUB_ACTIONS"] = "true", ["HOME"] = cluster.Directory, ["TF_BUILD"] = null, ["REGISTRY_PASSWORD"] = Password, ["GITHUB_STEP_SUMMARY"] = Path.Combine(cluster.Directory, "summary.md") });

        Assert.True(run.ExitCode == 0, run.Output + run.Error);
        var masks = run.Output.Split('\n').Select(line => line.TrimEnd('\r')).Where(line => line.StartsWith("::add-mask::", StringComparison.Ordinal)).Select(line => line["::add-mask::".Length..]).ToHashSet();
        var secrets = Directory.GetFiles(Path.Combine(artifacts, "manifests"), "*-secret-*.yaml")
            .Select(file => Build.Manifests.YamlToJson.Documents(File.ReadAllText(file))[0])
            .SelectMany(secret => secret["data"]!.AsObject().Select(entry => entry.Value!.GetValue<string>()))
            .ToList();
        Assert.Equal(2, secrets.Count);
        Assert.All(secrets, value => Assert.Contains(value, masks));
        Assert.All(secrets, value => Assert.Contains(System.Text.Encoding.UTF8.GetString(Convert.FromBase64String(value)).TrimEnd('\n'), masks));
    }
}
