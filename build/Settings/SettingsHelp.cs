using Cake.Core;
using Registry.Build.Host;

namespace Registry.Build.Settings;

/// <summary>The settings part of <c>--help</c>: every setting with its variable and default.</summary>
public sealed class SettingsHelp : IHelpSection
{
    public void Write(IConsole console)
    {
        console.WriteLine("Settings (--name=value, or $REGISTRY_NAME, or name: value in the --settings file):");
        foreach (var setting in SettingDefinition.All)
        {
            var defaultText = setting.DefaultText.Length > 0 ? $" (default {setting.DefaultText})" : string.Empty;
            console.WriteLine($"  --{setting.Name,-24}{setting.Description}{defaultText}");
        }

        foreach (var secret in SettingsLoader.Secrets)
        {
            console.WriteLine($"  ${secret.Variable,-23}{secret.Description}; never accepted on the command line (or --{secret.FileSetting}).");
        }
    }
}
