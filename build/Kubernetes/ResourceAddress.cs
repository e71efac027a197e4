using System.Reflection;
using k8s;
using k8s.Models;

namespace Registry.Build.Kubernetes;

/// <summary>Where an object lives in the API: its group, version, resource and, when namespaced, its namespace.</summary>
public sealed record ResourceAddress(string Group, string Version, string Plural, string Kind, string? Namespace, string Name)
{
    public static ResourceAddress Of(IKubernetesObject<V1ObjectMeta> item)
    {
        var entity = item.GetType().GetCustomAttribute<KubernetesEntityAttribute>()
            ?? throw new ArgumentException($"{item.GetType().Name} has no [KubernetesEntity] attribute naming its API resource.");
        var name = item.Metadata?.Name ?? throw new ArgumentException($"A {entity.Kind} has no metadata.name.");
        return new ResourceAddress(entity.Group, entity.ApiVersion, entity.PluralName, entity.Kind, item.Metadata.NamespaceProperty, name);
    }

    /// <summary>The address of a <typeparamref name="T"/>; with an empty name, of its collection (cluster-wide when <paramref name="ns"/> is null).</summary>
    public static ResourceAddress For<T>(string? ns, string name = "")
        where T : IKubernetesObject<V1ObjectMeta>
    {
        var entity = typeof(T).GetCustomAttribute<KubernetesEntityAttribute>()!;
        return new ResourceAddress(entity.Group, entity.ApiVersion, entity.PluralName, entity.Kind, ns, name);
    }

    /// <summary>The collection the object belongs to: <c>/api/v1/namespaces/ns/configmaps</c>.</summary>
    public string CollectionPath
    {
        get
        {
            var root = Group.Length == 0 ? $"/api/{Version}" : $"/apis/{Group}/{Version}";
            return Namespace is null ? $"{root}/{Plural}" : $"{root}/namespaces/{Namespace}/{Plural}";
        }
    }

    public string Path => $"{CollectionPath}/{Name}";

    /// <summary>Whether both name the same object: group, kind, namespace and name, whatever the version each is read at.</summary>
    public bool IsSameObject(ResourceAddress other) =>
        Group == other.Group && Kind == other.Kind && Namespace == other.Namespace && Name == other.Name;

    public override string ToString() => Namespace is null ? $"{Kind} {Name}" : $"{Kind} {Namespace}/{Name}";
}
