using System.Text.Json.Nodes;
using System.Text.RegularExpressions;

namespace Registry.Build.Tests.Fixtures.Kubernetes;

/// <summary>
/// Label selectors as the API server reads them: equality-based (<c>a=b</c>, <c>a==b</c>, <c>a!=b</c>), set-based
/// (<c>a in (b,c)</c>, <c>a notin (b,c)</c>, which an object without the label also matches), <c>a</c> and <c>!a</c>,
/// comma-separated outside the parentheses.
/// </summary>
public static partial class LabelSelector
{
    public static Func<JsonObject, bool>? Parse(string? selector)
    {
        if (string.IsNullOrWhiteSpace(selector))
        {
            return null;
        }

        var requirements = Separator().Split(selector)
            .Select(text => text.Trim()).Where(text => text.Length > 0)
            .Select(Requirement)
            .ToList();
        return item =>
        {
            var labels = item["metadata"]?["labels"] as JsonObject;
            return requirements.All(requirement => requirement(labels));
        };
    }

    private static Func<JsonObject?, bool> Requirement(string text)
    {
        string? Label(JsonObject? labels, string key) => labels?[key]?.GetValue<string>();
        if (SetBased().Match(text) is { Success: true } set)
        {
            var key = set.Groups["key"].Value;
            var values = set.Groups["values"].Value.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries).ToHashSet(StringComparer.Ordinal);
            return set.Groups["operator"].Value == "in"
                ? labels => Label(labels, key) is { } value && values.Contains(value)
                : labels => Label(labels, key) is not { } value || !values.Contains(value);
        }

        if (text.Contains("!=", StringComparison.Ordinal))
        {
            var parts = text.Split("!=", 2);
            return labels => Label(labels, parts[0]) != parts[1];
        }

        if (text.Contains('='))
        {
            var parts = text.Replace("==", "=").Split('=', 2);
            return labels => Label(labels, parts[0]) == parts[1];
        }

        return text.StartsWith('!')
            ? labels => Label(labels, text[1..]) is null
            : labels => Label(labels, text) is not null;
    }

    // A comma that is not inside the parentheses of a set.
    [GeneratedRegex(@",(?![^(]*\))")]
    private static partial Regex Separator();

    [GeneratedRegex(@"^(?<key>[^\s!=(),]+)\s+(?<operator>in|notin)\s*\((?<values>[^)]*)\)$")]
    private static partial Regex SetBased();
}
