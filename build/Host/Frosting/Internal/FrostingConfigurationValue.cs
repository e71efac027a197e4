namespace Cake.Frosting.Internal;

/// <summary>A Cake configuration value the application sets, below cake.config, CAKE_* variables and arguments.</summary>
internal sealed class FrostingConfigurationValue(string key, string value)
{
    /// <summary>Where tools are installed (Cake's <c>Paths_Tools</c>).</summary>
    public const string ToolPath = "Paths_Tools";

    public string Key { get; } = key ?? throw new ArgumentNullException(nameof(key));

    public string Value { get; } = value ?? throw new ArgumentNullException(nameof(value));
}
