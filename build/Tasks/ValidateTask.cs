using Cake.Common.Diagnostics;
using Registry.Build.Host;
using Registry.Build.Settings;

namespace Registry.Build.Tasks;

[TaskName("Validate")]
[TaskDescription("Check every setting before anything touches a cluster, and show the effective settings.")]
public sealed class ValidateTask : RegistryTask<BuildContext>
{
    // The rules themselves run in BuildLifetime.Setup, before the first task of any target, so that an
    // --exclusive run is checked too; a run that reaches this task has valid settings.
    public override void Run(BuildContext context)
    {
        foreach (var setting in SettingDefinition.All)
        {
            var origin = context.Settings.Origins.GetValueOrDefault(setting.Name);
            var text = origin?.Text ?? setting.DefaultText;
            if (text.Length > 0)
            {
                var line = $"  {setting.Name,-22} {text}{(origin is null ? string.Empty : $"  ({origin.Source})")}";
                context.Information(line);
            }
        }

        var password = context.Settings.Password is null
            ? "not given: one is generated on first deploy and kept in the cluster"
            : $"{Secret.Mask}  (given)";
        var passwordLine = $"  {"password",-22} {password}";
        context.Information(passwordLine);
        // The other secrets only when given: that they were, never what they are.
        foreach (var (name, _) in context.Settings.StoreSecrets.Given)
        {
            context.Information($"  {name,-22} {Secret.Mask}  (given)");
        }
    }
}
