using System.Text.Json.Nodes;

namespace Registry.Build.Tests.Fixtures.Kubernetes;

/// <summary>Equality-based label selectors: <c>a=b</c>, <c>a==b</c>, <c>a!=b</c>, <c>a</c>, <c>!a</c>, comma-separated.</summary>
public static class LabelSelector
{
    public static Func<JsonObject, bool>? Parse(string? selector)
    {
        if (string.IsNullOrWhiteSpace(selector))
        {
            return null;
        }

        var requirements = selector.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries)
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
}
