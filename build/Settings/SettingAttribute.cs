namespace Registry.Build.Settings;

/// <summary>Marks a property of <see cref="RegistrySettings"/> as a setting: its kebab-case name and its meaning.</summary>
[AttributeUsage(AttributeTargets.Property)]
public sealed class SettingAttribute(string name, string description) : Attribute
{
    public string Name { get; } = name;

    public string Description { get; } = description;
}
