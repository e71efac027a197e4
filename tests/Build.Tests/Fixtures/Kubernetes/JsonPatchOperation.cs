using System.Text.Json.Nodes;

namespace Registry.Build.Tests.Fixtures.Kubernetes;

/// <summary>RFC 6902 add, remove, replace and test on a JSON object.</summary>
public static class JsonPatchOperation
{
    public static bool TryApply(JsonObject root, JsonObject operation, out string problem)
    {
        problem = string.Empty;
        var op = operation["op"]?.GetValue<string>();
        var path = operation["path"]?.GetValue<string>() ?? string.Empty;
        var segments = path.Split('/').Skip(1).Select(segment => segment.Replace("~1", "/").Replace("~0", "~")).ToList();
        if (segments.Count == 0)
        {
            problem = $"path '{path}' does not name a field";
            return false;
        }

        JsonNode? parent = root;
        foreach (var segment in segments.SkipLast(1))
        {
            parent = parent switch
            {
                JsonObject map => map[segment],
                JsonArray list when int.TryParse(segment, out var index) && index < list.Count => list[index],
                _ => null,
            };
        }

        var last = segments[^1];
        switch (op, parent)
        {
            case ("add" or "replace", JsonObject map):
                if (op == "replace" && !map.ContainsKey(last))
                {
                    problem = $"replace: {path} does not exist";
                    return false;
                }

                map[last] = operation["value"]?.DeepClone();
                return true;
            case ("add", JsonArray list):
                var value = operation["value"]?.DeepClone();
                if (last == "-")
                {
                    list.Add(value);
                }
                else
                {
                    list.Insert(int.Parse(last), value);
                }

                return true;
            case ("replace", JsonArray list) when int.TryParse(last, out var index) && index < list.Count:
                list[index] = operation["value"]?.DeepClone();
                return true;
            case ("remove", JsonObject map) when map.ContainsKey(last):
                map.Remove(last);
                return true;
            case ("remove", JsonArray list) when int.TryParse(last, out var index) && index < list.Count:
                list.RemoveAt(index);
                return true;
            case ("test", JsonObject map):
                if (JsonNode.DeepEquals(map[last], operation["value"]))
                {
                    return true;
                }

                problem = $"test: {path} is not the value given";
                return false;
            default:
                problem = $"{op} {path}: no such field";
                return false;
        }
    }
}
