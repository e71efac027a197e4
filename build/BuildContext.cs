using Cake.Core;
using Registry.Build.Host;
using Registry.Build.Settings;

namespace Registry.Build;

/// <summary>What every task sees: Cake's context, and the settings read once from every layer.</summary>
public sealed class BuildContext : FrostingContext, IDryRunContext
{
    public BuildContext(ICakeContext context, RunCancellation cancellation)
        : base(context)
    {
        Cancellation = cancellation.Token;
        var loaded = SettingsLoader.Load(
            context.Arguments.GetArguments()
                .Where(argument => !HostArguments.Contains(argument.Key))
                // A setting given as a bare switch (--smoke-test) has no value: it means true, as Cake's Argument<bool> reads it.
                .ToDictionary(argument => argument.Key, argument => argument.Value.LastOrDefault() is { Length: > 0 } value ? value : "true", StringComparer.OrdinalIgnoreCase),
            context.Environment.GetEnvironmentVariables().ToDictionary(variable => variable.Key, variable => (string?)variable.Value, StringComparer.Ordinal),
            context.Environment.WorkingDirectory.FullPath);
        Settings = Kubernetes.LocalClusterDefaults.Apply(loaded.Settings, context.Environment);
        SettingsProblems = loaded.Problems;
    }

    // Frosting passes the targets on to the tasks as an argument too; they are not settings.
    private static readonly HashSet<string> HostArguments = new(StringComparer.OrdinalIgnoreCase) { "target" };

    /// <summary>Read once from every layer; a local cluster's own choices are added (only for what was left unset) once it is detected.</summary>
    public RegistrySettings Settings { get; private set; }

    /// <summary>The local distribution the cluster was told to be; null for any other cluster, or when none answered.</summary>
    public LocalCluster.LocalDistribution? Distribution { get; private set; }

    internal void Choose(LocalCluster.LocalDistribution distribution, RegistrySettings adjusted) => (Distribution, Settings) = (distribution, adjusted);

    /// <summary>Settings the cluster decided for what was left unset, other than a distribution's.</summary>
    internal void Keep(RegistrySettings adjusted) => Settings = adjusted;

    public bool IsDryRun { get; internal set; }

    /// <summary>Cancelled by Ctrl-C; every cluster call and wait takes it.</summary>
    public CancellationToken Cancellation { get; }

    /// <summary>What could not be read; reported with the validation rules' findings before the first task.</summary>
    public IReadOnlyList<SettingProblem> SettingsProblems { get; }
}
