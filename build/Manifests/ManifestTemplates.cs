using System.Text.Json;
using System.Text.RegularExpressions;
using Cake.Core;
using k8s;
using k8s.Models;
using Registry.Build.Workspace;

namespace Registry.Build.Manifests;

/// <summary>
/// The objects in <c>k8s/</c>: one readable YAML file per object with <c>{{ name }}</c> placeholders, filled with
/// values and read into KubernetesClient's typed models. A malformed file or a placeholder without a value is
/// an error naming the file, raised before anything is sent to a cluster.
/// </summary>
public sealed partial class ManifestTemplates(string directory)
{
    public static ManifestTemplates InSourceTree() => new(SourceTree.Root.Combine("k8s").FullPath);

    public T Load<T>(string file, IReadOnlyDictionary<string, string> values)
        where T : IKubernetesObject<V1ObjectMeta>
    {
        var path = Path.Combine(directory, file);
        string text;
        try
        {
            text = File.ReadAllText(path);
        }
        catch (IOException exception)
        {
            throw new CakeException($"k8s/{file}: cannot be read ({exception.Message}).");
        }

        var missing = new SortedSet<string>(StringComparer.Ordinal);
        var filled = Placeholder().Replace(text, match =>
        {
            var name = match.Groups["name"].Value;
            if (values.TryGetValue(name, out var value))
            {
                return value;
            }

            missing.Add(name);
            return match.Value;
        });
        if (missing.Count > 0)
        {
            throw new CakeException($"k8s/{file}: no value for {string.Join(", ", missing.Select(name => "{{ " + name + " }}"))}.");
        }

        try
        {
            var documents = YamlToJson.Documents(filled);
            if (documents.Count != 1)
            {
                throw new CakeException($"k8s/{file}: holds {documents.Count} objects; expected exactly one.");
            }

            var item = KubernetesJson.Deserialize<T>(documents[0].ToJsonString())
                ?? throw new CakeException($"k8s/{file}: is empty.");
            var entity = typeof(T).GetCustomAttributes(typeof(KubernetesEntityAttribute), false).Cast<KubernetesEntityAttribute>().Single();
            if (item.Kind != entity.Kind || string.IsNullOrEmpty(item.Metadata?.Name))
            {
                throw new CakeException($"k8s/{file}: is a {item.Kind ?? "(no kind)"} named '{item.Metadata?.Name}'; expected a {entity.Kind} with a metadata.name.");
            }

            return item;
        }
        catch (YamlDotNet.Core.YamlException exception)
        {
            throw new CakeException($"k8s/{file}: is not valid YAML at line {exception.Start.Line}: {exception.Message}");
        }
        catch (JsonException exception)
        {
            throw new CakeException($"k8s/{file}: does not fit a {typeof(T).Name}: {exception.Message}");
        }
    }

    [GeneratedRegex(@"\{\{\s*(?<name>[a-z0-9-]+)\s*\}\}")]
    private static partial Regex Placeholder();
}
