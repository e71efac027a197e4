using System.Text.Json.Nodes;
using Registry.Build.Manifests;

namespace Registry.Build.Registry;

/// <summary>
/// Where a config.yml keeps the images: its storage driver and the place in it (bucket, endpoint, prefix, container),
/// described for a person. Two configs with different descriptions serve different images.
/// </summary>
public static class StoreLocation
{
    private static readonly Dictionary<string, string[]> Places = new(StringComparer.Ordinal)
    {
        ["filesystem"] = ["rootdirectory"],
        ["s3"] = ["regionendpoint", "bucket", "rootdirectory"],
        ["gcs"] = ["bucket", "rootdirectory"],
        ["azure"] = ["accountname", "container", "rootdirectory"],
        ["inmemory"] = [],
    };

    /// <summary>The store of a config.yml, such as "s3 bucket=images regionendpoint=https://minio:9000"; null when it names none.</summary>
    public static string? Of(string configYml)
    {
        if (YamlToJson.Documents(configYml).SingleOrDefault() is not JsonObject config || config["storage"] is not JsonObject storage)
        {
            return null;
        }

        foreach (var (driver, keys) in Places)
        {
            if (storage[driver] is JsonObject parameters)
            {
                var place = keys
                    .Select(key => (key, value: (parameters[key] ?? parameters["credentials"]?[key])?.ToString()))
                    .Where(pair => !string.IsNullOrEmpty(pair.value))
                    .Select(pair => $" {pair.key}={pair.value}");
                return driver + string.Concat(place);
            }
        }

        return null;
    }
}
