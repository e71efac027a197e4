using System.Text.Json.Nodes;
using Registry.Build.Manifests;

namespace Registry.Build.Registry;

/// <summary>
/// Where a config.yml keeps the images: its storage driver and the place in it (bucket, endpoint, prefix, container).
/// Two configs at different places serve different images.
/// </summary>
/// <param name="Place">The parameters that say where, as key=value, in a fixed order.</param>
public sealed record StoreLocation(string Driver, IReadOnlyList<KeyValuePair<string, string>> Place)
{
    private static readonly Dictionary<string, string[]> Places = new(StringComparer.Ordinal)
    {
        ["filesystem"] = ["rootdirectory"],
        ["s3"] = ["regionendpoint", "bucket", "rootdirectory"],
        ["gcs"] = ["bucket", "rootdirectory"],
        ["azure"] = ["accountname", "container", "rootdirectory"],
        ["inmemory"] = [],
    };

    /// <summary>The store of a config.yml; null when it names none.</summary>
    public static StoreLocation? Of(string configYml)
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
                    .Select(key => new KeyValuePair<string, string>(key, Normalized(key, parameters[key]?.ToString())))
                    .Where(pair => pair.Value.Length > 0)
                    .ToList();
                return new StoreLocation(driver, place);
            }
        }

        return null;
    }

    /// <summary>The first parameter (or "driver") in which the two places differ; null when they are the same place.</summary>
    public string? Difference(StoreLocation other) =>
        Driver != other.Driver ? "driver"
        : Place.Concat(other.Place).Select(pair => pair.Key).Distinct().FirstOrDefault(key => Value(key) != other.Value(key));

    public override string ToString() => Driver + string.Concat(Place.Select(pair => $" {pair.Key}={pair.Value}"));

    private string? Value(string key) => Place.FirstOrDefault(pair => pair.Key == key).Value;

    // The same endpoint or prefix written with or without a trailing slash is the same place.
    private static string Normalized(string key, string? value) =>
        value is null ? string.Empty : key is "regionendpoint" or "rootdirectory" && value.Length > 1 ? value.TrimEnd('/') : value;
}
