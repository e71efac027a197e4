using System.Text.Json;
using System.Text.Json.Nodes;
using YamlDotNet.Serialization;

namespace Registry.Build.Manifests;

/// <summary>An object as YAML a person reads and kubectl applies; strings that look like numbers or booleans stay quoted.</summary>
public static class JsonToYaml
{
    private static readonly ISerializer Serializer = new SerializerBuilder().WithQuotingNecessaryStrings().Build();

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
}
