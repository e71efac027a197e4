namespace Registry.Build.Settings;

/// <summary>One thing wrong with the settings: which setting, its value, where that came from, and what is expected.</summary>
public sealed record SettingProblem(string Setting, string? Value, SettingSource? Source, string Expected)
{
    public override string ToString()
    {
        if (Value is null)
        {
            return $"{Setting}: {Expected}";
        }

        var from = Source is null || Source == SettingSource.Default ? string.Empty : $" ({Source})";
        return $"{Setting}: '{Value}'{from} {Expected}";
    }
}
