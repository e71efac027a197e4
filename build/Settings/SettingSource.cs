namespace Registry.Build.Settings;

/// <summary>Where a setting's value came from, so a message can say which file or variable to fix.</summary>
public sealed record SettingSource(string Description)
{
    public static readonly SettingSource Default = new("default");

    public static readonly SettingSource CommandLine = new("from the command line");

    public static SettingSource File(string path) => new($"from {path}");

    public static SettingSource Environment(string variable) => new($"from ${variable}");

    public override string ToString() => Description;
}
