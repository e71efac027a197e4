using Registry.Build.Settings;
using Registry.Build.Tests.Fixtures;

namespace Registry.Build.Tests.Settings;

public sealed class SettingsValidatorTests : IDisposable
{
    private readonly TemporaryDirectory directory = new();

    public void Dispose() => directory.Dispose();

    [Fact]
    public void Complete_valid_settings_have_no_problem()
    {
        var kubeconfig = directory.Write("kubeconfig", "apiVersion: v1\n");

        var problems = Validate(
            deploying: true,
            ("host", "registry.example.com"), ("namespace", "tools"), ("kubeconfig", kubeconfig), ("tls", "letsencrypt"),
            ("acme-email", "ops@example.com"), ("storage-size", "500Mi"), ("storage-class", "fast-ssd"), ("replicas", "2"), ("storage-access-mode", "ReadWriteMany"), ("bcrypt-cost", "12"),
            ("image", "ghcr.io/distribution/distribution:3.0.0"), ("ingress-chart-version", "4.15.1"), ("wait-timeout", "1h30m"));

        Assert.Empty(problems);
    }

    [Theory]
    [InlineData("host", "bad_host!", "is not a valid DNS name")]
    [InlineData("retain-count", "-1", "is negative; expected how many of the newest tags to keep")]
    [InlineData("retain-days", "-7", "is negative; expected an age in days")]
    [InlineData("retain-tags", ".hidden", "is not a tag pattern")]
    [InlineData("retain-tags", "release/1", "is not a tag pattern")]
    [InlineData("gc-timeout", "30s", "is shorter than a minute")]
    [InlineData("host", "Registry.Example.com", "is not a valid DNS name")]
    [InlineData("host", "-registry.example.com", "is not a valid DNS name")]
    [InlineData("namespace", "Tools", "is not a valid namespace name")]
    [InlineData("namespace", "docker.registry", "is not a valid namespace name")]
    [InlineData("kubeconfig", "missing-kubeconfig", "cannot be read; expected a readable kubeconfig file")]
    [InlineData("kube-context", " ", "is empty; expected a context name")]
    [InlineData("ingress-class", "NGINX", "is not a valid IngressClass name")]
    [InlineData("ingress-controller", "haproxy", "is not one of the choices; expected nginx, traefik or existing")]
    [InlineData("tls", "acme", "is not one of the choices")]
    [InlineData("tls-secret", "tls_secret", "is not a valid Secret name")]
    [InlineData("acme-email", "ops@localhost", "is not an e-mail address")]
    [InlineData("acme-email", "Ops <ops@example.com>", "is not an e-mail address")]
    [InlineData("user", "ad:min", "is not a usable registry user")]
    [InlineData("user", "ad min", "is not a usable registry user")]
    [InlineData("storage-size", "ten gigs", "is not a storage size")]
    [InlineData("storage-size", "0Gi", "is not a storage size")]
    [InlineData("storage-size", "-1Gi", "is not a storage size")]
    [InlineData("storage-class", "Fast_SSD", "is not a valid StorageClass name")]
    [InlineData("replicas", "0", "is not a positive number; expected 1 or more")]
    [InlineData("replicas", "-2", "is not a positive number; expected 1 or more")]
    [InlineData("replicas", "2", "needs storage every replica can share, but storage is filesystem with storage-access-mode ReadWriteOnce")]
    [InlineData("storage-access-mode", "RWX", "is not an access mode")]
    [InlineData("bcrypt-cost", "4", "is out of range; expected a bcrypt cost from 10 to 16")]
    [InlineData("users-file", "no-such-users", "cannot be read; expected a readable file of user:password lines")]
    [InlineData("image", "registry", "is not a pinned image")]
    [InlineData("image", "registry:latest", "is not a pinned image")]
    [InlineData("image", "Registry:3.0.0", "is not a pinned image")]
    [InlineData("helm-version", "latest", "is not a Helm release")]
    [InlineData("cert-manager-version", "v0.8.0", "is not a cert-manager release this pipeline supports")]
    [InlineData("cert-manager-version", "1.21.1", "is not a cert-manager release this pipeline supports")]
    [InlineData("ingress-chart-version", "newest", "is not a chart version")]
    [InlineData("wait-timeout", "0s", "is not a positive duration")]
    [InlineData("wait-timeout", "5", "is not a duration")]
    [InlineData("smoke-test", "maybe", "is not a switch value")]
    public void A_bad_value_is_one_problem_naming_the_setting_the_value_and_what_is_expected(string setting, string value, string expected)
    {
        var problems = Validate(deploying: false, (setting, value));

        var problem = Assert.Single(problems).ToString();
        Assert.StartsWith($"{setting}: '{value}' (from the command line) ", problem);
        Assert.Contains(expected, problem);
    }

    [Fact]
    public void Retention_rules_with_deletes_turned_off_are_refused_since_the_registry_would_refuse_every_delete()
    {
        var problems = Validate(deploying: false, ("retain-count", "5"), ("delete-enabled", "false"));

        var problem = Assert.Single(problems);
        Assert.Equal("delete-enabled", problem.Setting);
        Assert.Contains("retain-count or retain-days asks Retention to delete tags", problem.ToString());
    }

    [Theory]
    [InlineData("0777", false)]
    [InlineData("0x1F", false)]
    [InlineData("1e3", false)]
    [InlineData("OFF", false)]
    [InlineData("Off", false)]
    [InlineData("~", false)]
    [InlineData("2026-12-03", false)]
    [InlineData("*anchor", false)]
    [InlineData("key: value", false)]
    [InlineData("trailing ", false)]
    [InlineData("wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY", true)]
    [InlineData("c2VjcmV0+a2V5/PQ==", true)]
    [InlineData("Correct-Horse-9", true)]
    public void A_key_passed_to_the_registry_as_an_environment_variable_must_read_back_as_the_same_string(string key, bool accepted)
    {
        var loaded = SettingsLoader.Load(
            new Dictionary<string, string> { ["storage"] = "s3", ["s3-bucket"] = "images", ["s3-region"] = "eu-west-1" },
            new Dictionary<string, string?> { ["REGISTRY_S3_ACCESS_KEY"] = "AKIAEXAMPLE", ["REGISTRY_S3_SECRET_KEY"] = key },
            directory.Path);

        var problems = SettingsValidator.Validate(loaded.Settings, deploying: false);

        Assert.Equal(accepted, problems.All(problem => problem.Setting != "s3-secret-key"));
        Assert.All(problems, problem => Assert.DoesNotContain(key, problem.ToString()));
    }

    [Fact]
    public void A_password_file_that_is_a_folder_is_a_problem()
    {
        var problems = Validate(deploying: false, ("password-file", directory.Path));

        Assert.Contains(problems, problem => problem.Setting == "password-file");
    }

    [Fact]
    public void An_artifacts_path_that_is_a_file_is_a_problem()
    {
        var file = directory.Write("artifacts", "not a folder");

        var problem = Assert.Single(Validate(deploying: false, ("artifacts", file))).ToString();

        Assert.Contains("is a file; expected a folder", problem);
    }

    [Fact]
    public void Deploying_needs_a_host()
    {
        var problem = Assert.Single(Validate(deploying: true)).ToString();

        Assert.Equal("host: is required to deploy; expected the registry's DNS name, as --host=registry.example.com or $REGISTRY_HOST", problem);
    }

    [Fact]
    public void Targets_that_do_not_deploy_need_no_host()
    {
        Assert.Empty(Validate(deploying: false));
    }

    [Theory]
    [InlineData("letsencrypt")]
    [InlineData("letsencrypt-staging")]
    public void Deploying_with_acme_needs_an_email(string tls)
    {
        var problem = Assert.Single(Validate(deploying: true, ("host", "registry.example.com"), ("tls", tls))).ToString();

        Assert.StartsWith($"acme-email: is required when tls is {tls}", problem);
    }

    [Fact]
    public void Acme_cannot_certify_a_name_that_is_not_public()
    {
        var problem = Assert.Single(Validate(deploying: true, ("host", "registry"), ("tls", "letsencrypt"), ("acme-email", "ops@example.com"))).ToString();

        Assert.StartsWith("host: 'registry' (from the command line) cannot get a Let's Encrypt certificate", problem);
    }

    [Fact]
    public void Every_problem_is_reported_at_once()
    {
        var problems = Validate(deploying: true, ("namespace", "BAD"), ("replicas", "0"), ("image", "registry:latest"));

        Assert.Equal(["host", "image", "namespace", "replicas"], problems.Select(problem => problem.Setting).Order());
    }

    private List<SettingProblem> Validate(bool deploying, params (string Name, string Value)[] commandLine)
    {
        var loaded = SettingsLoader.Load(commandLine.ToDictionary(pair => pair.Name, pair => pair.Value), new Dictionary<string, string?>(), directory.Path);
        return [.. loaded.Problems, .. SettingsValidator.Validate(loaded.Settings, deploying)];
    }
}
