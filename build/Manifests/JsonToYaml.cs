using System.Text.Json;
using System.Text.Json.Nodes;
using YamlDotNet.Core;
using YamlDotNet.Serialization;
using YamlDotNet.Serialization.EventEmitters;

namespace Registry.Build.Manifests;

/// <summary>
/// An object as YAML a person reads and every tool reads alike: a string that a YAML 1.1 reader (kubectl, Helm,
/// Argo CD and Flux parse with go-yaml) or a YAML 1.2 one would take for a boolean, a number or null is quoted, and
/// a text of several lines (a config file) is a literal block, readable as the file it is.
/// </summary>
public static class JsonToYaml
{
    private static readonly ISerializer Serializer = new SerializerBuilder()
        .WithQuotingNecessaryStrings(quoteYaml1_1Strings: true)
        .WithEventEmitter(next => new ReadableStrings(next))
        .Build();

    public static string Convert(JsonNode node) => Serializer.Serialize(Plain(node));

    private static object? Plain(JsonNode? node) => node switch
    {
        null => null,
        JsonObject map => map.ToDictionary(property => property.Key, property => Plain(property.Value)),
        JsonArray list => list.Select(Plain).ToList(),
        JsonValue value => value.GetValueKind() switch
        {
            JsonValueKind.String => value.GetValue<string>(),
            JsonValueKind.True => true,
            JsonValueKind.False => false,
            JsonValueKind.Number when value.ToJsonString() is var number && long.TryParse(number, out var whole) => whole,
            JsonValueKind.Number => double.Parse(value.ToJsonString(), System.Globalization.CultureInfo.InvariantCulture),
            _ => null,
        },
        _ => null,
    };

    private sealed class ReadableStrings(IEventEmitter next) : ChainedEventEmitter(next)
    {
        public override void Emit(ScalarEventInfo eventInfo, IEmitter emitter)
        {
            if (eventInfo.Source.Value is string text)
            {
                if (text.Contains('\n'))
                {
                    eventInfo.Style = ScalarStyle.Literal;
                }
                else if (eventInfo.Style is ScalarStyle.Any or ScalarStyle.Plain && AmbiguousToGo(text))
                {
                    eventInfo.Style = ScalarStyle.DoubleQuoted;
                }
            }

            base.Emit(eventInfo, emitter);
        }

        // What go-yaml v2 (YAML 1.1) resolves to something other than a string, beyond what YamlDotNet's YAML 1.1 list
        // quotes: one-letter booleans, and numbers in any base Go's parser takes.
        private static bool AmbiguousToGo(string text) =>
            text is "y" or "Y" or "n" or "N" or "=" or "<<"
            || (text.Length > 0 && (char.IsAsciiDigit(text[0]) || text[0] is '-' or '+' or '.')
                && text.Replace("_", string.Empty) is var digits
                && (long.TryParse(digits, System.Globalization.NumberStyles.AllowLeadingSign, System.Globalization.CultureInfo.InvariantCulture, out _)
                    || double.TryParse(digits, System.Globalization.NumberStyles.Float, System.Globalization.CultureInfo.InvariantCulture, out _)
                    || digits.TrimStart('-', '+').StartsWith("0x", StringComparison.OrdinalIgnoreCase)
                    || digits.TrimStart('-', '+').StartsWith("0o", StringComparison.OrdinalIgnoreCase)
                    || digits.TrimStart('-', '+').StartsWith("0b", StringComparison.OrdinalIgnoreCase)));
    }
}
