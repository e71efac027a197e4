using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using k8s.Models;

namespace Registry.Build.Kubernetes;

/// <summary>
/// Which of the fields the pipeline sets differ in the live object. Only the desired object's fields count:
/// the server's defaults, its status and fields other managers set are not the pipeline's business.
/// </summary>
public static partial class ManifestComparison
{
    /// <returns>The paths of the desired fields the live object does not have as desired, such as <c>spec.replicas</c>.</returns>
    public static IReadOnlyList<string> Differences(JsonNode desired, JsonNode? live)
    {
        var differences = new List<string>();
        Compare(desired, live, string.Empty, differences);
        return differences;
    }

    private static void Compare(JsonNode? desired, JsonNode? live, string path, List<string> differences)
    {
        switch (desired)
        {
            case null:
                return;
            case JsonObject desiredObject:
                if (live is not JsonObject liveObject)
                {
                    differences.Add(Display(path));
                    return;
                }

                foreach (var (name, value) in desiredObject)
                {
                    Compare(value, liveObject[name], Join(path, name), differences);
                }

                return;
            case JsonArray desiredArray:
                CompareArrays(desiredArray, live as JsonArray, path, differences);
                return;
            default:
                if (!ScalarEquals(desired.AsValue(), live))
                {
                    differences.Add(Display(path));
                }

                return;
        }
    }

    // Lists of named objects (containers, env, volumes, ports) are merged by name on the server, so other
    // managers' entries may sit beside ours; other lists are replaced whole and must match exactly.
    private static void CompareArrays(JsonArray desired, JsonArray? live, string path, List<string> differences)
    {
        if (live is null)
        {
            differences.Add(Display(path));
            return;
        }

        if (desired.All(item => item is JsonObject))
        {
            for (var index = 0; index < desired.Count; index++)
            {
                var name = desired[index]!["name"]?.GetValue<string>();
                var match = name is null
                    ? (index < live.Count ? live[index] : null)
                    : live.FirstOrDefault(item => item is JsonObject candidate && candidate["name"]?.GetValue<string>() == name);
                Compare(desired[index], match, $"{path}[{name ?? index.ToString(CultureInfo.InvariantCulture)}]", differences);
            }

            return;
        }

        if (desired.Count != live.Count || desired.Zip(live).Any(pair => !ScalarEquals(pair.First!.AsValue(), pair.Second)))
        {
            differences.Add(Display(path));
        }
    }

    private static bool ScalarEquals(JsonValue desired, JsonNode? live)
    {
        if (live is not JsonValue liveValue)
        {
            return false;
        }

        var (kindA, kindB) = (desired.GetValueKind(), liveValue.GetValueKind());
        if (kindA == JsonValueKind.Number && kindB == JsonValueKind.Number)
        {
            return decimal.Parse(desired.ToJsonString(), CultureInfo.InvariantCulture) == decimal.Parse(liveValue.ToJsonString(), CultureInfo.InvariantCulture);
        }

        if (kindA == JsonValueKind.String && kindB == JsonValueKind.String)
        {
            var (a, b) = (desired.GetValue<string>(), liveValue.GetValue<string>());
            return a == b || SameQuantity(a, b);
        }

        return kindA == kindB && desired.ToJsonString() == liveValue.ToJsonString();
    }

    // The server stores quantities in canonical form: "1024Mi" comes back as "1Gi". Only strings that are quantities
    // are parsed as one: a digest such as "3e83920571648203" reads as 3 x 10^83920571648203 to ResourceQuantity, whose
    // exponent overflows an int (seen once in a rotation: the apply failed with "Value was either too large or too small
    // for an Int32"), and a smaller huge exponent would make it compute 10^n.
    private static bool SameQuantity(string a, string b)
    {
        if (!Quantity().IsMatch(a) || !Quantity().IsMatch(b))
        {
            return false;
        }

        try
        {
            return new ResourceQuantity(a) == new ResourceQuantity(b);
        }
        catch (Exception exception) when (exception is FormatException or OverflowException or ArgumentException)
        {
            return false;
        }
    }

    // Kubernetes' quantity grammar, with a decimal exponent of at most two digits (no quantity the pipeline writes has one).
    [System.Text.RegularExpressions.GeneratedRegex(@"^\d+(\.\d+)?([KMGTPE]i|[numkMGTPE]|[eE][+-]?\d{1,2})?$")]
    private static partial System.Text.RegularExpressions.Regex Quantity();

    private static string Join(string path, string name) => path.Length == 0 ? name : $"{path}.{name}";

    private static string Display(string path) => path.Length == 0 ? "(the whole object)" : path;
}
