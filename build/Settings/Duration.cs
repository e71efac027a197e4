using System.Globalization;
using System.Text.RegularExpressions;

namespace Registry.Build.Settings;

/// <summary>Durations written as Kubernetes and Helm users write them: 90s, 5m, 1h30m.</summary>
public static partial class Duration
{
    public static bool TryParse(string text, out TimeSpan duration)
    {
        duration = TimeSpan.Zero;
        var match = Pattern().Match(text.Trim());
        if (!match.Success || match.Length == 0)
        {
            return false;
        }

        foreach (Capture part in match.Groups["part"].Captures)
        {
            var number = double.Parse(part.Value[..^UnitLength(part.Value)], CultureInfo.InvariantCulture);
            duration += part.Value[^UnitLength(part.Value)..] switch
            {
                "h" => TimeSpan.FromHours(number),
                "m" => TimeSpan.FromMinutes(number),
                "s" => TimeSpan.FromSeconds(number),
                _ => TimeSpan.FromMilliseconds(number),
            };
        }

        return true;
    }

    public static string Format(TimeSpan duration)
    {
        var text = string.Empty;
        if (duration.Hours + (duration.Days * 24) > 0)
        {
            text += $"{duration.Hours + (duration.Days * 24)}h";
        }

        if (duration.Minutes > 0)
        {
            text += $"{duration.Minutes}m";
        }

        if (duration.Seconds > 0 || text.Length == 0)
        {
            text += $"{duration.Seconds}s";
        }

        return text;
    }

    private static int UnitLength(string part) => part.EndsWith("ms", StringComparison.Ordinal) ? 2 : 1;

    [GeneratedRegex(@"^(?<part>\d+(\.\d+)?(ms|h|m|s))+$")]
    private static partial Regex Pattern();
}
