using System.Globalization;
using System.Text.RegularExpressions;

namespace Registry.Build.Settings;

/// <summary>Sizes as people write them: 256MiB, 1GiB, 500KB, 1048576.</summary>
public static partial class ByteSize
{
    public static bool TryParse(string text, out long bytes)
    {
        bytes = 0;
        var match = Pattern().Match(text.Trim());
        if (!match.Success)
        {
            return false;
        }

        var factor = match.Groups["unit"].Value.ToUpperInvariant() switch
        {
            "" or "B" => 1L,
            "KB" => 1000L,
            "MB" => 1000L * 1000,
            "GB" => 1000L * 1000 * 1000,
            "KIB" => 1L << 10,
            "MIB" => 1L << 20,
            "GIB" => 1L << 30,
            _ => 0,
        };
        var value = decimal.Parse(match.Groups["number"].Value, CultureInfo.InvariantCulture) * factor;
        if (factor == 0 || value > long.MaxValue)
        {
            return false;
        }

        bytes = (long)value;
        return true;
    }

    public static string Format(long bytes) => bytes switch
    {
        >= 1L << 30 => $"{bytes / (double)(1L << 30):0.##} GiB",
        >= 1L << 20 => $"{bytes / (double)(1L << 20):0.##} MiB",
        >= 1L << 10 => $"{bytes / (double)(1L << 10):0.##} KiB",
        _ => $"{bytes} B",
    };

    [GeneratedRegex(@"^(?<number>\d+(\.\d+)?)\s*(?<unit>[KMG]i?B|B)?$", RegexOptions.IgnoreCase)]
    private static partial Regex Pattern();
}
