using Cake.Core.Diagnostics;

namespace Registry.Build.Host;

/// <summary>
/// The arguments as Frosting reads them: the host's own options, and every other <c>--name=value</c>
/// passed on to the context as Cake arguments.
/// </summary>
public sealed record CommandLine
{
    /// <summary>The host's own option names (and their aliases); everything else is an argument for the tasks.</summary>
    public static readonly IReadOnlySet<string> HostOptions = new HashSet<string>(StringComparer.Ordinal)
    {
        "target", "verbosity", "dryrun", "noop", "whatif", "tree", "description", "descriptions",
        "exclusive", "help", "version",
    };

    private static readonly Dictionary<string, string> ShortNames = new()
    {
        ["t"] = "target", ["v"] = "verbosity", ["e"] = "exclusive", ["h"] = "help", ["?"] = "help",
    };

    private static readonly HashSet<string> Switches =
        ["dryrun", "noop", "whatif", "tree", "description", "descriptions", "exclusive", "help", "version"];

    public string? Target { get; init; }

    public Verbosity Verbosity { get; init; } = Verbosity.Normal;

    public bool DryRun { get; init; }

    public bool Tree { get; init; }

    public bool Description { get; init; }

    public bool Exclusive { get; init; }

    public bool Help { get; init; }

    public bool Version { get; init; }

    /// <summary>Every argument that is not a host option, by lower-case name; the last one given wins.</summary>
    public IReadOnlyDictionary<string, string> Arguments { get; init; } = new Dictionary<string, string>();

    public static CommandLine Parse(IEnumerable<string> args)
    {
        var options = new Dictionary<string, string>(StringComparer.Ordinal);
        var list = args.ToList();
        for (var i = 0; i < list.Count; i++)
        {
            var arg = list[i];
            string name;
            string? value = null;
            if (arg.StartsWith("--", StringComparison.Ordinal))
            {
                name = arg[2..];
            }
            else if (arg.Length > 1 && arg[0] == '-' && ShortNames.ContainsKey(arg[1..].Split('=')[0]))
            {
                var parts = arg[1..].Split('=', 2);
                name = ShortNames[parts[0]] + (parts.Length == 2 ? "=" + parts[1] : string.Empty);
            }
            else
            {
                throw new CommandLineException(
                    $"Unexpected argument '{arg}': every option is written --name=value (for example --target=Deploy).");
            }

            var equals = name.IndexOf('=');
            if (equals >= 0)
            {
                value = name[(equals + 1)..];
                name = name[..equals];
            }

            name = name.ToLowerInvariant();
            if (name.Length == 0)
            {
                throw new CommandLineException($"Unexpected argument '{arg}': an option needs a name, as in --target=Deploy.");
            }

            if (value is null)
            {
                var next = i + 1 < list.Count ? list[i + 1] : null;
                if (!Switches.Contains(name) && next is not null && !next.StartsWith('-'))
                {
                    value = next;
                    i++;
                }
                else
                {
                    value = "true";
                }
            }

            options[name] = value;
        }

        return new CommandLine
        {
            Target = options.GetValueOrDefault("target"),
            Verbosity = ParseVerbosity(options.GetValueOrDefault("verbosity")),
            DryRun = Switch(options, "dryrun") || Switch(options, "noop") || Switch(options, "whatif"),
            Tree = Switch(options, "tree"),
            Description = Switch(options, "description") || Switch(options, "descriptions"),
            Exclusive = Switch(options, "exclusive"),
            Help = Switch(options, "help"),
            Version = Switch(options, "version"),
            Arguments = options
                .Where(option => !HostOptions.Contains(option.Key))
                .ToDictionary(option => option.Key, option => option.Value, StringComparer.Ordinal),
        };
    }

    private static bool Switch(Dictionary<string, string> options, string name)
    {
        if (!options.TryGetValue(name, out var value))
        {
            return false;
        }

        return bool.TryParse(value, out var on)
            ? on
            : throw new CommandLineException($"--{name}: '{value}' is not a switch value; expected true or false, or --{name} alone.");
    }

    private static Verbosity ParseVerbosity(string? value)
    {
        if (value is null)
        {
            return Verbosity.Normal;
        }

        return value.ToLowerInvariant() switch
        {
            "q" or "quiet" => Verbosity.Quiet,
            "m" or "minimal" => Verbosity.Minimal,
            "n" or "normal" => Verbosity.Normal,
            "v" or "verbose" => Verbosity.Verbose,
            "d" or "diagnostic" => Verbosity.Diagnostic,
            _ => throw new CommandLineException(
                $"--verbosity: '{value}' is not a verbosity; expected quiet, minimal, normal, verbose or diagnostic."),
        };
    }
}
