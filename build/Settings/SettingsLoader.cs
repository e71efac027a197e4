using YamlDotNet.Core;
using YamlDotNet.RepresentationModel;

namespace Registry.Build.Settings;

/// <summary>
/// Builds <see cref="RegistrySettings"/> from its layers: defaults &lt; YAML file (<c>--settings</c>) &lt;
/// <c>REGISTRY_*</c> environment &lt; command line. It never throws on bad input: every problem is collected
/// so the user sees them all at once.
/// </summary>
public static class SettingsLoader
{
    public const string PasswordVariable = "REGISTRY_PASSWORD";

    /// <summary>
    /// The secrets a run can be given, each only from its variable or its file: given as a setting, on the command line
    /// or in a settings file, it would end up in shell history, process lists or a repository.
    /// </summary>
    public static readonly IReadOnlyList<SecretInput> Secrets =
    [
        new("password", PasswordVariable, "password-file", "The user's password"),
        new("s3-access-key", "REGISTRY_S3_ACCESS_KEY", "s3-access-key-file", "storage=s3: the access key id"),
        new("s3-secret-key", "REGISTRY_S3_SECRET_KEY", "s3-secret-key-file", "storage=s3: the secret access key"),
        new("azure-account-key", "REGISTRY_AZURE_ACCOUNT_KEY", "azure-account-key-file", "storage=azure: the account key"),
        new("redis-password", "REGISTRY_REDIS_PASSWORD", "redis-password-file", "redis-url's password"),
        new("proxy-username", "REGISTRY_PROXY_USERNAME", "proxy-username-file", "mode=proxy: the upstream registry's user"),
        new("proxy-password", "REGISTRY_PROXY_PASSWORD", "proxy-password-file", "mode=proxy: the upstream registry's password or token"),
    ];

    /// <summary>The settings file's one nested entry: extra registry configuration.</summary>
    public const string RegistryConfigKey = "registry-config";

    // Secrets in config.yml, with where they belong instead.
    private static readonly (string Path, string Advice)[] SecretConfig =
    [
        ("storage.s3.accesskey", Advice(Secrets[1])),
        ("storage.s3.secretkey", Advice(Secrets[2])),
        ("storage.s3.sessiontoken", "no session token: the registry reads none; expected long-lived keys, or the pod's identity through service-account"),
        ("storage.azure.accountkey", Advice(Secrets[3])),
        ("storage.azure.credentials.secret", "an Azure client secret, which this pipeline does not take; expected the account key ($REGISTRY_AZURE_ACCOUNT_KEY) or the pod's workload identity through service-account"),
        ("redis.password", Advice(Secrets[4])),
        ("proxy.username", Advice(Secrets[5])),
        ("proxy.password", Advice(Secrets[6])),
        ("storage.gcs.credentials", "--gcs-key-file=FILE, which reaches the registry as a file from a Secret"),
    ];

    private static string Advice(SecretInput input) => $"${input.Variable} or --{input.FileSetting}=FILE, which reach the registry through a Secret";

    /// <summary>Parts of config.yml the pipeline owns: overriding them would break login or lose images.</summary>
    private static readonly string[] ManagedConfig = ["auth", "http.addr", "http.secret", "storage.filesystem", "proxy"];

    public static SettingsLoadResult Load(
        IReadOnlyDictionary<string, string> commandLine,
        IReadOnlyDictionary<string, string?> environment,
        string workingDirectory)
    {
        var problems = new List<SettingProblem>();
        var layers = new List<Layer>();

        var settingsFile = SettingsFileLayer(commandLine, environment);
        System.Text.Json.Nodes.JsonObject? registryConfig = null;
        if (settingsFile is not null)
        {
            layers.AddRange(ReadFile(settingsFile, workingDirectory, problems, out registryConfig));
        }

        foreach (var definition in SettingDefinition.All)
        {
            if (environment.TryGetValue(definition.EnvironmentVariable, out var text) && !string.IsNullOrEmpty(text))
            {
                layers.Add(new Layer(definition, text, SettingSource.Environment(definition.EnvironmentVariable), workingDirectory, Rank.Environment));
            }
        }

        foreach (var (name, text) in commandLine)
        {
            if (Known(name, SettingSource.CommandLine, problems) is { } definition)
            {
                layers.Add(new Layer(definition, text, SettingSource.CommandLine, workingDirectory, Rank.CommandLine));
            }
        }

        var settings = new RegistrySettings();
        var origins = new Dictionary<string, SettingOrigin>(StringComparer.Ordinal);
        var winners = layers
            .GroupBy(layer => layer.Definition)
            .Select(group => group.OrderBy(layer => layer.Rank).Last());
        foreach (var layer in winners)
        {
            origins[layer.Definition.Name] = new SettingOrigin(layer.Text, layer.Source);
            if (layer.Definition.TryParse(layer.Text, layer.BaseDirectory, out var value, out var expected))
            {
                layer.Definition.Assign(settings, value);
            }
            else
            {
                problems.Add(new SettingProblem(layer.Definition.Name, layer.Text, layer.Source, expected));
            }
        }

        Secret? Read(string name) => ReadSecret(Secrets.Single(input => input.Name == name), settings, layers, environment, problems);
        var password = Read("password");
        var store = new StoreSecrets
        {
            S3AccessKey = Read("s3-access-key"),
            S3SecretKey = Read("s3-secret-key"),
            AzureAccountKey = Read("azure-account-key"),
            RedisPassword = Read("redis-password"),
            ProxyUsername = Read("proxy-username"),
            ProxyPassword = Read("proxy-password"),
            GcsKey = ReadGcsKey(settings, origins, problems),
        };
        var users = ReadUsers(settings, origins, problems);
        return new SettingsLoadResult(
            settings with { Password = password, StoreSecrets = store, Users = users, Origins = origins, RegistryConfig = registryConfig }, problems);
    }

    private static Layer? SettingsFileLayer(
        IReadOnlyDictionary<string, string> commandLine, IReadOnlyDictionary<string, string?> environment)
    {
        var definition = SettingDefinition.Find("settings")!;
        if (commandLine.TryGetValue("settings", out var fromCommandLine))
        {
            return new Layer(definition, fromCommandLine, SettingSource.CommandLine, string.Empty, Rank.CommandLine);
        }

        return environment.TryGetValue(definition.EnvironmentVariable, out var fromEnvironment) && !string.IsNullOrEmpty(fromEnvironment)
            ? new Layer(definition, fromEnvironment, SettingSource.Environment(definition.EnvironmentVariable), string.Empty, Rank.Environment)
            : null;
    }

    private static IEnumerable<Layer> ReadFile(
        Layer file, string workingDirectory, List<SettingProblem> problems, out System.Text.Json.Nodes.JsonObject? registryConfig)
    {
        registryConfig = null;
        var path = Path.GetFullPath(file.Text, workingDirectory);
        YamlMappingNode mapping;
        try
        {
            var stream = new YamlStream();
            using (var reader = new StreamReader(path))
            {
                stream.Load(reader);
            }

            if (stream.Documents.Count == 0)
            {
                return [];
            }

            if (stream.Documents[0].RootNode is not YamlMappingNode root)
            {
                problems.Add(new SettingProblem("settings", file.Text, file.Source, "is not a mapping; expected lines of name: value"));
                return [];
            }

            mapping = root;
        }
        catch (Exception exception) when (exception is IOException or UnauthorizedAccessException)
        {
            problems.Add(new SettingProblem("settings", file.Text, file.Source, $"cannot be read ({exception.Message}); expected a readable YAML file"));
            return [];
        }
        catch (YamlException exception)
        {
            problems.Add(new SettingProblem(
                "settings", file.Text, file.Source, $"is not valid YAML at line {exception.Start.Line}: {exception.Message}"));
            return [];
        }

        var source = SettingSource.File(file.Text);
        var directory = Path.GetDirectoryName(path)!;
        var layers = new List<Layer>();
        foreach (var (keyNode, valueNode) in mapping.Children)
        {
            var name = ((YamlScalarNode)keyNode).Value ?? string.Empty;
            if (name == RegistryConfigKey)
            {
                registryConfig = RegistryConfigFrom(valueNode, source, problems);
                continue;
            }

            if (name == "settings")
            {
                problems.Add(new SettingProblem(name, null, source, $"cannot be set inside a settings file ({file.Text}); pass it as --settings=FILE"));
                continue;
            }

            if (Known(name, source, problems) is not { } definition)
            {
                continue;
            }

            if (definition.Type == typeof(IReadOnlyList<string>) && valueNode is YamlSequenceNode sequence && sequence.Children.All(item => item is YamlScalarNode))
            {
                layers.Add(new Layer(definition, string.Join(',', sequence.Children.Cast<YamlScalarNode>().Select(item => item.Value)), source, directory, Rank.File));
                continue;
            }

            if (valueNode is not YamlScalarNode { Value: { } text })
            {
                problems.Add(new SettingProblem(name, null, source, $"in {file.Text} must be a single value, as in '{name}: value'"));
                continue;
            }

            layers.Add(new Layer(definition, text, source, directory, Rank.File));
        }

        return layers;
    }

    private static System.Text.Json.Nodes.JsonObject? RegistryConfigFrom(YamlNode node, SettingSource source, List<SettingProblem> problems)
    {
        if (Manifests.YamlToJson.Convert(node) is not System.Text.Json.Nodes.JsonObject config)
        {
            problems.Add(new SettingProblem(RegistryConfigKey, null, source, "must be a mapping of registry configuration, as in config.yml"));
            return null;
        }

        foreach (var managed in ManagedConfig)
        {
            var parts = managed.Split('.');
            System.Text.Json.Nodes.JsonNode? at = config;
            foreach (var part in parts)
            {
                at = (at as System.Text.Json.Nodes.JsonObject)?[part];
            }

            if (at is not null)
            {
                problems.Add(new SettingProblem(RegistryConfigKey, null, source,
                    $"sets {managed}, which the pipeline manages (from user, the password, the generated http.secret and the volume); remove it"));
            }
        }

        foreach (var (path, advice) in SecretConfig)
        {
            if (At(config, path) is not null)
            {
                problems.Add(new SettingProblem(RegistryConfigKey, null, source,
                    $"sets {path}, a secret the ConfigMap would show to anyone who can read it; remove it and give it as {advice}"));
            }
        }

        return config;
    }

    private static System.Text.Json.Nodes.JsonNode? At(System.Text.Json.Nodes.JsonObject config, string path)
    {
        System.Text.Json.Nodes.JsonNode? at = config;
        foreach (var part in path.Split('.'))
        {
            at = (at as System.Text.Json.Nodes.JsonObject)?[part];
        }

        return at;
    }

    private static SettingDefinition? Known(string name, SettingSource source, List<SettingProblem> problems)
    {
        if (Secrets.FirstOrDefault(input => string.Equals(input.Name, name, StringComparison.OrdinalIgnoreCase)) is { } secret)
        {
            problems.Add(new SettingProblem(secret.Name, null, source,
                $"is not accepted {source.Description}, where it would end up in shell history, process lists or a repository; " +
                $"expected ${secret.Variable} or --{secret.FileSetting}=FILE"));
            return null;
        }

        if (SettingDefinition.Find(name) is { } definition)
        {
            return definition;
        }

        var suggestion = SettingDefinition.All
            .Select(candidate => (candidate.Name, distance: EditDistance(name.ToLowerInvariant(), candidate.Name)))
            .Where(candidate => candidate.distance <= 2)
            .OrderBy(candidate => candidate.distance)
            .Select(candidate => candidate.Name)
            .FirstOrDefault();
        var hint = suggestion is null ? "see --help for the settings" : $"did you mean {suggestion}?";
        problems.Add(new SettingProblem(name, null, source, $"is not a setting ({source}); {hint}"));
        return null;
    }

    private static Secret? ReadSecret(
        SecretInput input,
        RegistrySettings settings,
        IReadOnlyList<Layer> layers,
        IReadOnlyDictionary<string, string?> environment,
        List<SettingProblem> problems)
    {
        var fromEnvironment = environment.GetValueOrDefault(input.Variable);
        if (fromEnvironment is { Length: 0 })
        {
            // What a CI system passes for a secret that is missing: taking it as "no password" would silently
            // deploy with whatever the cluster has, and a run that meant to set one would not notice.
            problems.Add(new SettingProblem(
                input.Name, string.Empty, SettingSource.Environment(input.Variable),
                $"is set but empty (a missing CI secret arrives as an empty string); expected the {input.Noun}, or ${input.Variable} unset to keep the one the registry has"));
            return null;
        }

        if (fromEnvironment is not null && System.Text.RegularExpressions.Regex.IsMatch(fromEnvironment, @"^\$\([\w.]+\)$"))
        {
            // Azure Pipelines leaves $(Name) as it is when the variable is not defined: that text is no password.
            problems.Add(new SettingProblem(
                input.Name, null, SettingSource.Environment(input.Variable),
                $"is {fromEnvironment} as written, which is what Azure Pipelines passes for a variable that is not defined; expected the {input.Noun}, or ${input.Variable} unset to keep the one the registry has"));
            return null;
        }

        var fileLayer = layers.Where(layer => layer.Definition.Name == input.FileSetting).OrderBy(layer => layer.Rank).LastOrDefault();
        if (!string.IsNullOrEmpty(fromEnvironment) && (fileLayer is null || fileLayer.Rank < Rank.Environment))
        {
            return new Secret(fromEnvironment);
        }

        if (!string.IsNullOrEmpty(fromEnvironment) && fileLayer!.Rank == Rank.Environment)
        {
            problems.Add(new SettingProblem(
                input.FileSetting, fileLayer.Text, fileLayer.Source, $"and ${input.Variable} are both set; expected only one of them"));
            return null;
        }

        if (SettingDefinition.Find(input.FileSetting)!.ValueIn(settings) is not Cake.Core.IO.FilePath file)
        {
            return null;
        }

        try
        {
            var password = File.ReadLines(file.FullPath).FirstOrDefault()?.TrimEnd('\r');
            if (!string.IsNullOrEmpty(password))
            {
                return new Secret(password);
            }

            problems.Add(new SettingProblem(input.FileSetting, fileLayer!.Text, fileLayer.Source, $"has an empty first line; expected the {input.Noun} on the first line"));
        }
        catch (Exception exception) when (exception is IOException or UnauthorizedAccessException)
        {
            problems.Add(new SettingProblem(
                input.FileSetting, fileLayer!.Text, fileLayer.Source, $"cannot be read ({exception.Message}); expected a readable file whose first line is the {input.Noun}"));
        }

        return null;
    }

    // A service account's key is a JSON document, read whole; not valid JSON is caught here rather than by a crash-looping pod.
    private static Secret? ReadGcsKey(RegistrySettings settings, Dictionary<string, SettingOrigin> origins, List<SettingProblem> problems)
    {
        if (settings.GcsKeyFile is not { } file || !File.Exists(file.FullPath))
        {
            return null;
        }

        var origin = origins["gcs-key-file"];
        try
        {
            var text = File.ReadAllText(file.FullPath);
            if (System.Text.Json.Nodes.JsonNode.Parse(text) is System.Text.Json.Nodes.JsonObject key && key["type"] is not null)
            {
                return new Secret(text);
            }
        }
        catch (System.Text.Json.JsonException)
        {
        }
        catch (Exception exception) when (exception is IOException or UnauthorizedAccessException)
        {
            problems.Add(new SettingProblem("gcs-key-file", origin.Text, origin.Source, $"cannot be read ({exception.Message}); expected a service account's JSON key file"));
            return null;
        }

        problems.Add(new SettingProblem("gcs-key-file", origin.Text, origin.Source, "is not a JSON key with a \"type\"; expected a service account's key file, as 'gcloud iam service-accounts keys create' writes it"));
        return null;
    }

    private static IReadOnlyList<Registry.Credential>? ReadUsers(
        RegistrySettings settings, Dictionary<string, SettingOrigin> origins, List<SettingProblem> problems)
    {
        if (settings.UsersFile is not { } file || !File.Exists(file.FullPath))
        {
            // A missing file is the validator's "cannot be read".
            return null;
        }

        try
        {
            return Registry.UsersFile.Read(file.FullPath);
        }
        catch (Exception exception) when (exception is FormatException or IOException or UnauthorizedAccessException)
        {
            var origin = origins["users-file"];
            problems.Add(new SettingProblem("users-file", origin.Text, origin.Source, $"cannot be used ({exception.Message}); expected a file of user:password lines"));
            return null;
        }
    }

    private static int EditDistance(string a, string b)
    {
        var previous = Enumerable.Range(0, b.Length + 1).ToArray();
        for (var i = 1; i <= a.Length; i++)
        {
            var current = new int[b.Length + 1];
            current[0] = i;
            for (var j = 1; j <= b.Length; j++)
            {
                var substitution = previous[j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1);
                current[j] = Math.Min(substitution, Math.Min(previous[j] + 1, current[j - 1] + 1));
            }

            previous = current;
        }

        return previous[b.Length];
    }

    private enum Rank
    {
        File,
        Environment,
        CommandLine,
    }

    private sealed record Layer(SettingDefinition Definition, string Text, SettingSource Source, string BaseDirectory, Rank Rank);
}

/// <summary>The settings as far as they could be read, and everything that was wrong with them.</summary>
public sealed record SettingsLoadResult(RegistrySettings Settings, IReadOnlyList<SettingProblem> Problems);

/// <summary>A secret the pipeline reads from <paramref name="Variable"/> or from the first line of the file <paramref name="FileSetting"/> names.</summary>
public sealed record SecretInput(string Name, string Variable, string FileSetting, string Description)
{
    /// <summary>What it is, in a sentence: "password", "s3 access key".</summary>
    public string Noun => Name.Replace('-', ' ');
}
