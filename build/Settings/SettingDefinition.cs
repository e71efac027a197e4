using System.Globalization;
using System.Reflection;
using Cake.Core.IO;

namespace Registry.Build.Settings;

/// <summary>One setting: its names in each layer, its default, and how its text becomes a typed value.</summary>
public sealed class SettingDefinition
{
    private readonly PropertyInfo property;

    private SettingDefinition(PropertyInfo property, SettingAttribute attribute)
    {
        this.property = property;
        Name = attribute.Name;
        Description = attribute.Description;
        EnvironmentVariable = "REGISTRY_" + Name.ToUpperInvariant().Replace('-', '_');
    }

    /// <summary>Every setting, in the order <see cref="RegistrySettings"/> declares them.</summary>
    public static IReadOnlyList<SettingDefinition> All { get; } = typeof(RegistrySettings)
        .GetProperties()
        .Select(property => (property, attribute: property.GetCustomAttribute<SettingAttribute>()))
        .Where(pair => pair.attribute is not null)
        .Select(pair => new SettingDefinition(pair.property, pair.attribute!))
        .ToList();

    public string Name { get; }

    public string Description { get; }

    public string EnvironmentVariable { get; }

    public Type Type => Nullable.GetUnderlyingType(property.PropertyType) ?? property.PropertyType;

    public static SettingDefinition? Find(string name) =>
        All.FirstOrDefault(definition => string.Equals(definition.Name, name, StringComparison.OrdinalIgnoreCase));

    /// <summary>The default as a user would write it, or an empty string when there is none.</summary>
    public string DefaultText => Format(property.GetValue(new RegistrySettings()));

    public object? ValueIn(RegistrySettings settings) => property.GetValue(settings);

    /// <summary>The value as it was written, or as a user would write it when it was set otherwise.</summary>
    public string TextIn(RegistrySettings settings) =>
        settings.Origins.TryGetValue(Name, out var origin) ? origin.Text : Format(property.GetValue(settings));

    internal void Assign(RegistrySettings settings, object? value) => property.SetValue(settings, value);

    /// <summary>
    /// Turns the text into the setting's type. Relative paths are taken from <paramref name="baseDirectory"/>:
    /// the working directory, or the folder of the settings file that names them.
    /// </summary>
    public bool TryParse(string text, string baseDirectory, out object? value, out string expected)
    {
        value = null;
        expected = string.Empty;
        var type = Type;
        if (type == typeof(string))
        {
            value = text;
            return true;
        }

        if (type == typeof(int))
        {
            expected = "is not a whole number; expected a whole number such as 2";
            var ok = int.TryParse(text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var number);
            value = number;
            return ok;
        }

        if (type == typeof(bool))
        {
            expected = "is not a switch value; expected true or false";
            var ok = bool.TryParse(text, out var on);
            value = on;
            return ok;
        }

        if (type == typeof(TimeSpan))
        {
            expected = "is not a duration; expected a number with a unit such as 90s, 5m or 1h30m";
            var ok = Duration.TryParse(text, out var duration);
            value = duration;
            return ok;
        }

        if (type.IsEnum)
        {
            var names = Enum.GetValues(type).Cast<Enum>().Select(KebabName).ToList();
            expected = $"is not one of the choices; expected {string.Join(", ", names.SkipLast(1))} or {names[^1]}";
            var match = Enum.GetValues(type).Cast<Enum>()
                .FirstOrDefault(candidate => string.Equals(KebabName(candidate), text, StringComparison.OrdinalIgnoreCase));
            value = match;
            return match is not null;
        }

        if (type == typeof(IReadOnlyList<string>))
        {
            // The command line and the environment give a list as a,b; a settings file may also give a YAML sequence.
            value = text.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).Distinct(StringComparer.Ordinal).ToList();
            return true;
        }

        if (type == typeof(FilePath) || type == typeof(DirectoryPath))
        {
            expected = "is not a path; expected a file or folder name";
            if (string.IsNullOrWhiteSpace(text))
            {
                return false;
            }

            var full = System.IO.Path.GetFullPath(text, baseDirectory);
            value = type == typeof(FilePath) ? new FilePath(full) : new DirectoryPath(full);
            return true;
        }

        throw new InvalidOperationException($"Setting {Name} has a type ({type.Name}) the loader cannot read.");
    }

    public static string KebabName(Enum value)
    {
        var name = value.ToString();
        var builder = new System.Text.StringBuilder();
        for (var i = 0; i < name.Length; i++)
        {
            if (char.IsUpper(name[i]) && i > 0)
            {
                builder.Append('-');
            }

            builder.Append(char.ToLowerInvariant(name[i]));
        }

        return builder.ToString();
    }

    private static string Format(object? value) => value switch
    {
        null => string.Empty,
        Enum choice => KebabName(choice),
        bool on => on ? "true" : "false",
        TimeSpan duration => Duration.Format(duration),
        Cake.Core.IO.Path path => path.FullPath,
        IReadOnlyList<string> list => string.Join(',', list),
        _ => Convert.ToString(value, CultureInfo.InvariantCulture) ?? string.Empty,
    };
}
