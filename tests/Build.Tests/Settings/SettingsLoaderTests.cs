using Registry.Build.Settings;
using Registry.Build.Tests.Fixtures;

namespace Registry.Build.Tests.Settings;

public sealed class SettingsLoaderTests : IDisposable
{
    private readonly TemporaryDirectory directory = new();

    public void Dispose() => directory.Dispose();

    [Fact]
    public void With_nothing_given_every_setting_has_its_default()
    {
        var loaded = Load();

        Assert.Empty(loaded.Problems);
        Assert.Empty(loaded.Settings.Origins);
        Assert.All(SettingDefinition.All, setting => Assert.Equal(setting.DefaultText, setting.TextIn(loaded.Settings)));
        Assert.Equal("docker-registry", loaded.Settings.Namespace);
        Assert.Equal(TimeSpan.FromMinutes(5), loaded.Settings.WaitTimeout);
        Assert.Null(loaded.Settings.Password);
    }

    public static TheoryData<string> Names() => [.. SettingDefinition.All.Where(setting => setting.Name != "settings").Select(setting => setting.Name)];

    [Theory]
    [MemberData(nameof(Names))]
    public void Each_layer_overrides_the_one_below_it(string name)
    {
        var setting = SettingDefinition.Find(name)!;
        var (fileValue, environmentValue, commandLineValue) = ThreeValidValues(setting);
        var file = directory.Write("settings.yaml", $"{name}: '{fileValue}'\n");
        var withSettingsFile = new Dictionary<string, string> { ["settings"] = file };

        var fromFile = Load(withSettingsFile);
        var fromEnvironment = Load(withSettingsFile, new() { [setting.EnvironmentVariable] = environmentValue });
        var fromCommandLine = Load(
            new Dictionary<string, string>(withSettingsFile) { [name] = commandLineValue },
            new() { [setting.EnvironmentVariable] = environmentValue });

        Assert.All(new[] { fromFile, fromEnvironment, fromCommandLine }, loaded => Assert.Empty(loaded.Problems));
        Assert.NotEqual(setting.ValueIn(new RegistrySettings()), setting.ValueIn(fromFile.Settings));
        Assert.Equal(fileValue, setting.TextIn(fromFile.Settings));
        Assert.Equal(environmentValue, setting.TextIn(fromEnvironment.Settings));
        Assert.Equal(commandLineValue, setting.TextIn(fromCommandLine.Settings));
        Assert.Equal($"from ${setting.EnvironmentVariable}", fromEnvironment.Settings.Origins[name].Source.Description);
        Assert.Equal(SettingSource.CommandLine, fromCommandLine.Settings.Origins[name].Source);
    }

    [Fact]
    public void The_settings_file_can_be_named_by_the_environment_and_its_relative_paths_start_at_its_own_folder()
    {
        var file = directory.Write("config/registry.yaml", "kubeconfig: kube/config\nreplicas: 3\n");

        var loaded = Load(environment: new() { ["REGISTRY_SETTINGS"] = file });

        Assert.Empty(loaded.Problems);
        Assert.Equal(3, loaded.Settings.Replicas);
        Assert.Equal(Path.Combine(directory.Path, "config", "kube", "config"), loaded.Settings.Kubeconfig!.FullPath);
    }

    [Fact]
    public void Relative_paths_on_the_command_line_start_at_the_working_directory()
    {
        var loaded = Load(new() { ["artifacts"] = "out/run1" });

        Assert.Equal(Path.Combine(directory.Path, "out", "run1"), loaded.Settings.Artifacts.FullPath);
    }

    [Fact]
    public void An_empty_environment_variable_counts_as_unset()
    {
        var loaded = Load(environment: new() { ["REGISTRY_NAMESPACE"] = string.Empty });

        Assert.Empty(loaded.Problems);
        Assert.Equal("docker-registry", loaded.Settings.Namespace);
    }

    [Fact]
    public void An_unknown_setting_is_a_problem_that_suggests_the_nearest_name_and_says_where_it_was()
    {
        var file = directory.Write("settings.yaml", "namespce: tools\n");

        var loaded = Load(new() { ["hots"] = "registry.example.com", ["settings"] = file });

        Assert.Contains(loaded.Problems, problem => problem.ToString() == "hots: is not a setting (from the command line); did you mean host?");
        Assert.Contains(loaded.Problems, problem => problem.ToString() == $"namespce: is not a setting (from {file}); did you mean namespace?");
    }

    [Fact]
    public void A_settings_file_that_is_missing_or_not_yaml_is_a_problem_naming_it()
    {
        var broken = directory.Write("broken.yaml", "host: [registry\n");

        var missing = Load(new() { ["settings"] = "nowhere.yaml" });
        var invalid = Load(new() { ["settings"] = broken });

        Assert.Contains("settings: 'nowhere.yaml' (from the command line) cannot be read", Assert.Single(missing.Problems).ToString());
        Assert.Contains($"settings: '{broken}' (from the command line) is not valid YAML at line", Assert.Single(invalid.Problems).ToString());
    }

    [Fact]
    public void A_value_of_the_wrong_type_is_a_problem_naming_the_setting_value_and_expectation()
    {
        var loaded = Load(new() { ["replicas"] = "two", ["wait-timeout"] = "5 minutes", ["tls"] = "letsencrypt-prod", ["smoke-test"] = "yes please" });

        string[] expected =
        [
            "replicas: 'two' (from the command line) is not a whole number; expected a whole number such as 2",
            "wait-timeout: '5 minutes' (from the command line) is not a duration; expected a number with a unit such as 90s, 5m or 1h30m",
            "tls: 'letsencrypt-prod' (from the command line) is not one of the choices; expected letsencrypt, letsencrypt-staging, selfsigned or existing-secret",
            "smoke-test: 'yes please' (from the command line) is not a switch value; expected true or false",
        ];
        Assert.Equal(expected.Order(), loaded.Problems.Select(problem => problem.ToString()).Order());
    }

    [Fact]
    public void The_settings_file_may_carry_extra_registry_configuration()
    {
        var file = directory.Write("settings.yaml", "host: registry.example.com\nregistry-config:\n  log:\n    level: debug\n  notifications:\n    events:\n      includereferences: true\n");

        var loaded = Load(new() { ["settings"] = file });

        Assert.Empty(loaded.Problems);
        Assert.Equal("debug", loaded.Settings.RegistryConfig!["log"]!["level"]!.GetValue<string>());
        Assert.True(loaded.Settings.RegistryConfig["notifications"]!["events"]!["includereferences"]!.GetValue<bool>());
    }

    [Theory]
    [InlineData("pull-secret-namespaces: apps, jobs\n")]
    [InlineData("pull-secret-namespaces:\n  - apps\n  - jobs\n")]
    [InlineData("pull-secret-namespaces: [apps, jobs, apps]\n")]
    public void A_list_is_written_as_a_b_or_as_a_yaml_sequence(string yaml)
    {
        var loaded = Load(new() { ["settings"] = directory.Write("settings.yaml", yaml) });

        Assert.Empty(loaded.Problems);
        Assert.Equal(["apps", "jobs"], loaded.Settings.PullSecretNamespaces);
        Assert.Equal(["apps", "jobs"], Load([], new() { ["REGISTRY_PULL_SECRET_NAMESPACES"] = "apps,jobs" }).Settings.PullSecretNamespaces);
    }

    [Theory]
    [InlineData("auth:\n    token: {}", "auth")]
    [InlineData("http:\n    secret: abc", "http.secret")]
    [InlineData("storage:\n    filesystem:\n      rootdirectory: /tmp", "storage.filesystem")]
    public void Extra_registry_configuration_may_not_override_what_the_pipeline_manages(string yaml, string key)
    {
        var file = directory.Write("settings.yaml", $"registry-config:\n  {yaml}\n");

        var problem = Assert.Single(Load(new() { ["settings"] = file }).Problems).ToString();

        Assert.Contains($"registry-config: sets {key}, which the pipeline manages", problem);
    }

    [Fact]
    public void A_users_file_is_read_with_the_settings_and_a_broken_one_is_a_problem_naming_the_line_not_the_password()
    {
        var good = directory.Write("users", "alice:pw-1\nbob:pw-2\n");
        var broken = directory.Write("broken", "alice:pw-1\nbob-without-colon-Secret\n");

        var loaded = Load(new() { ["users-file"] = good });
        var problem = Assert.Single(Load(new() { ["users-file"] = broken }).Problems).ToString();

        Assert.Equal(["alice", "bob"], loaded.Settings.Users!.Select(user => user.User));
        Assert.Equal($"users-file: '{broken}' (from the command line) cannot be used (line 2: expected user:password); expected a file of user:password lines", problem);
        Assert.DoesNotContain("Secret", problem.Replace(broken, string.Empty));
    }

    [Fact]
    public void The_password_comes_from_REGISTRY_PASSWORD_and_never_shows_when_formatted()
    {
        var loaded = Load(environment: new() { ["REGISTRY_PASSWORD"] = "s3cret-Value" });

        Assert.Equal("s3cret-Value", loaded.Settings.Password!.Reveal());
        Assert.DoesNotContain("s3cret-Value", loaded.Settings.ToString());
        Assert.DoesNotContain("s3cret-Value", $"{loaded.Settings.Password}");
    }

    [Fact]
    public void A_password_file_on_the_command_line_beats_the_environment_and_only_its_first_line_counts()
    {
        var file = directory.Write("password.txt", "from-file\nsecond line\n");

        var loaded = Load(new() { ["password-file"] = file }, new() { ["REGISTRY_PASSWORD"] = "from-environment" });

        Assert.Empty(loaded.Problems);
        Assert.Equal("from-file", loaded.Settings.Password!.Reveal());
    }

    [Fact]
    public void A_password_file_in_the_settings_file_yields_to_the_environment()
    {
        var password = directory.Write("password.txt", "from-file\n");
        var settings = directory.Write("settings.yaml", $"password-file: {password}\n");

        var loaded = Load(new() { ["settings"] = settings }, new() { ["REGISTRY_PASSWORD"] = "from-environment" });

        Assert.Equal("from-environment", loaded.Settings.Password!.Reveal());
    }

    [Fact]
    public void A_missing_or_empty_password_file_is_a_problem()
    {
        var empty = directory.Write("empty.txt", "\n");

        var missing = Load(new() { ["password-file"] = "no-such-file" });
        var blank = Load(new() { ["password-file"] = empty });

        Assert.Contains("password-file: 'no-such-file' (from the command line) cannot be read", Assert.Single(missing.Problems).ToString());
        Assert.Equal($"password-file: '{empty}' (from the command line) has an empty first line; expected the password on the first line", Assert.Single(blank.Problems).ToString());
        Assert.Null(missing.Settings.Password);
    }

    public static TheoryData<string> SecretNames() => [.. SettingsLoader.Secrets.Select(secret => secret.Name)];

    [Theory]
    [MemberData(nameof(SecretNames))]
    public void A_secret_on_the_command_line_or_in_the_settings_file_is_refused_without_repeating_it(string name)
    {
        var secret = SettingsLoader.Secrets.Single(input => input.Name == name);
        var file = directory.Write("settings.yaml", $"{name}: hunter2-in-file\n");

        var loaded = Load(new() { [name] = "hunter2-on-cli", ["settings"] = file });

        Assert.Equal(2, loaded.Problems.Count);
        Assert.All(loaded.Problems, problem =>
        {
            Assert.StartsWith($"{name}: is not accepted from ", problem.ToString());
            Assert.Contains($"expected ${secret.Variable} or --{secret.FileSetting}=FILE", problem.ToString());
            Assert.DoesNotContain("hunter2", problem.ToString());
        });
        Assert.Null(loaded.Settings.Password);
        Assert.Empty(loaded.Settings.StoreSecrets.All);
    }

    private (string File, string Environment, string CommandLine) ThreeValidValues(SettingDefinition setting) => setting.Type switch
    {
        var type when type == typeof(int) => ("3", "4", "5"),
        var type when type == typeof(bool) => ("false", "true", "false") is var values && setting.DefaultText == "true" ? values : ("true", "false", "true"),
        var type when type == typeof(TimeSpan) => ("90s", "10m", "1h30m"),
        var type when type == typeof(IngressController) => ("nginx", "existing", "nginx"),
        var type when type == typeof(TlsMode) => ("letsencrypt", "existing-secret", "letsencrypt-staging"),
        var type when type == typeof(ClusterCreation) => ("kind", "none", "kind"),
        var type when type == typeof(Exposure) => ("gateway", "ingress", "gateway"),
        var type when type == typeof(GatewayController) => ("nginx-fabric", "traefik", "existing"),
        var type when type == typeof(StorageBackend) => ("s3", "gcs", "azure"),
        var type when type == typeof(RegistryMode) => ("proxy", "registry", "proxy"),
        var type when type == typeof(BenchmarkKind) => ("converge", "push", "converge"),
        _ when setting.Name == "gcs-key-file" => (
            directory.Write("file-key.json", "{\"type\": \"service_account\"}"), directory.Write("environment-key.json", "{\"type\": \"service_account\"}"),
            directory.Write("command-line-key.json", "{\"type\": \"service_account\"}")),
        var type when type == typeof(Cake.Core.IO.FilePath) =>
            (directory.Write("from-file", "a:1\n"), directory.Write("from-environment", "b:2\n"), directory.Write("from-command-line", "c:3\n")),
        var type when type == typeof(Cake.Core.IO.DirectoryPath) => ("/from/file", "/from/environment", "/from/command-line"),
        var type when setting.Name.EndsWith("version") => ("v1.2.3", "v1.2.4", "v1.2.5"),
        _ => ("from-file", "from-environment", "from-command-line"),
    };

    private SettingsLoadResult Load(Dictionary<string, string>? commandLine = null, Dictionary<string, string?>? environment = null) =>
        SettingsLoader.Load(commandLine ?? [], environment ?? [], directory.Path);
}
