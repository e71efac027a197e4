using Cake.Core;
using Cake.Core.Configuration;
using Cake.Core.IO;
using Spectre.Console.Cli;

namespace Cake.Frosting.Internal;

/// <summary>Cake's configuration: the application's values, then cake.config, CAKE_* variables and the arguments, each over the last.</summary>
internal sealed class FrostingConfiguration : ICakeConfiguration
{
    private readonly ICakeConfiguration configuration;

    public FrostingConfiguration(
        IEnumerable<FrostingConfigurationValue> values, IFileSystem fileSystem, ICakeEnvironment environment, IRemainingArguments remainingArguments)
    {
        ArgumentNullException.ThrowIfNull(values);
        ArgumentNullException.ThrowIfNull(fileSystem);
        ArgumentNullException.ThrowIfNull(environment);
        var defaults = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        foreach (var value in values)
        {
            defaults[value.Key] = value.Value;
        }

        var arguments = remainingArguments.Parsed.ToDictionary(group => group.Key, group => group.FirstOrDefault() ?? string.Empty);
        configuration = new CakeConfigurationProvider(fileSystem, environment).CreateConfiguration(environment.WorkingDirectory, defaults, arguments);
    }

    public string GetValue(string key) => configuration.GetValue(key);
}
