using System.Text.Json.Nodes;

namespace Registry.Build.Tests.Fixtures.Kubernetes;

/// <summary>
/// Server-side apply's field sets, as the emulator keeps them: each leaf field of an object as a path whose
/// segments are <c>f:name</c> for a field and <c>k:value</c> for an element of a list merged by its name.
/// Other lists are atomic: one leaf, owned whole.
/// </summary>
public static class FieldPaths
{
    private const char Separator = '\u001F';

    public static HashSet<string> Leaves(JsonNode? node)
    {
        var leaves = new HashSet<string>(StringComparer.Ordinal);
        Collect(node, string.Empty, leaves);
        return leaves;
    }

    public static bool IsKeyedList(JsonArray array) =>
        array.Count > 0 && array.All(item => item is JsonObject element && element["name"] is JsonValue);

    /// <summary>Merges an applied configuration into an object: maps field by field, named lists by name, the rest replaced.</summary>
    public static void Merge(JsonObject target, JsonObject source)
    {
        foreach (var (name, value) in source)
        {
            if (value is JsonObject sourceObject && target[name] is JsonObject targetObject)
            {
                Merge(targetObject, sourceObject);
            }
            else if (value is JsonArray sourceArray && IsKeyedList(sourceArray) && target[name] is JsonArray targetArray)
            {
                foreach (var element in sourceArray.OfType<JsonObject>())
                {
                    var key = element["name"]!.GetValue<string>();
                    if (targetArray.OfType<JsonObject>().FirstOrDefault(candidate => candidate["name"]?.GetValue<string>() == key) is { } existing)
                    {
                        Merge(existing, element);
                    }
                    else
                    {
                        targetArray.Add(element.DeepClone());
                    }
                }
            }
            else
            {
                target[name] = value?.DeepClone();
            }
        }
    }

    /// <summary>A copy of the object without the given leaves, and without any map or named element they leave empty.</summary>
    public static JsonObject Without(JsonObject root, IReadOnlySet<string> removed) =>
        Filter(root, string.Empty, removed) as JsonObject ?? [];

    private static JsonNode? Filter(JsonNode? node, string prefix, IReadOnlySet<string> removed)
    {
        switch (node)
        {
            case JsonObject map when map.Count > 0:
                var keptMap = new JsonObject();
                foreach (var (name, value) in map)
                {
                    var path = Join(prefix, "f:" + name);
                    var kept = Filter(value, path, removed);
                    if (kept is not null || (value is null && !removed.Contains(path)))
                    {
                        keptMap[name] = kept;
                    }
                }

                return keptMap.Count > 0 || prefix.Length == 0 ? keptMap : null;
            case JsonArray list when IsKeyedList(list):
                var keptList = new JsonArray();
                foreach (var element in list.OfType<JsonObject>())
                {
                    if (Filter(element, Join(prefix, "k:" + element["name"]!.GetValue<string>()), removed) is { } kept)
                    {
                        keptList.Add(kept);
                    }
                }

                return keptList.Count > 0 ? keptList : null;
            default:
                return removed.Contains(prefix) ? null : node?.DeepClone();
        }
    }

    /// <summary>The managedFields <c>fieldsV1</c> tree of a set of leaves.</summary>
    public static JsonObject Tree(IEnumerable<string> leaves)
    {
        var tree = new JsonObject();
        foreach (var leaf in leaves.Order(StringComparer.Ordinal))
        {
            var node = tree;
            foreach (var segment in leaf.Split(Separator))
            {
                var key = segment.StartsWith("k:", StringComparison.Ordinal)
                    ? "k:" + new JsonObject { ["name"] = segment[2..] }.ToJsonString()
                    : segment;
                node = node[key] as JsonObject ?? (JsonObject)(node[key] = new JsonObject());
            }
        }

        return tree;
    }

    private static void Collect(JsonNode? node, string prefix, HashSet<string> leaves)
    {
        switch (node)
        {
            case JsonObject map when map.Count > 0:
                foreach (var (name, value) in map)
                {
                    Collect(value, Join(prefix, "f:" + name), leaves);
                }

                break;
            case JsonArray list when IsKeyedList(list):
                foreach (var element in list.OfType<JsonObject>())
                {
                    Collect(element, Join(prefix, "k:" + element["name"]!.GetValue<string>()), leaves);
                }

                break;
            default:
                if (prefix.Length > 0)
                {
                    leaves.Add(prefix);
                }

                break;
        }
    }

    private static string Join(string prefix, string segment) => prefix.Length == 0 ? segment : prefix + Separator + segment;
}
