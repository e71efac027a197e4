using System.Reflection;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;
using k8s;
using k8s.Models;
using Registry.Build.Kubernetes;

namespace Registry.Build.Inventory;

/// <summary>
/// The record of what the pipeline owns, as Kubernetes' ApplySet convention (KEP-3659) keeps it, so kubectl reads
/// it too: a parent ConfigMap in the registry's namespace whose <c>applyset.kubernetes.io/id</c> names the set and
/// whose annotation lists the member kinds, and on every member the <c>applyset.kubernetes.io/part-of</c> label.
/// An object without that label is not the pipeline's, whatever its name or other labels say.
/// </summary>
public sealed class ApplySet
{
    public const string ParentName = "registry-pipeline-applyset";
    public const string PartOfLabel = "applyset.kubernetes.io/part-of";
    public const string IdLabel = "applyset.kubernetes.io/id";
    public const string ToolingAnnotation = "applyset.kubernetes.io/tooling";
    public const string GroupKindsAnnotation = "applyset.kubernetes.io/contains-group-kinds";

    /// <summary>The namespaces besides the parent's that hold members (KEP-3659), where kubectl and prune look too.</summary>
    public const string AdditionalNamespacesAnnotation = "applyset.kubernetes.io/additional-namespaces";
    public const string Tooling = "registry-pipeline/v1";

    /// <summary>On a member that holds data (the images' claim, a generated password): prune never deletes it, Destroy only with purge-data.</summary>
    public const string HoldsDataAnnotation = "registry-pipeline/holds-data";

    /// <summary>
    /// On what cert-manager writes for a member Certificate (through its secretTemplate): the certificate and key are
    /// the pipeline's too, though not members (cert-manager owns them), so a purge removes them and nothing else mistakes them for another team's.
    /// </summary>
    public const string MadeForLabel = "registry-pipeline/made-for";

    /// <summary>On the parent: the charts the pipeline installed, so purge-prerequisites uninstalls those and no other.</summary>
    public const string ChartsKey = "installed-charts.json";

    // How a member kind named in the parent is found again without a discovery round trip: by its model, the API
    // client's or this pipeline's. The client's thousands of types are looked up by the name its generator gives them
    // (V1Deployment), not scanned (a scan took a tenth of a no-op Deploy); this pipeline's few are scanned; a kind
    // found neither way is looked for among all of the client's. The newest stable version first, as the declaration
    // makes them (autoscaling/v2), so a member read in a list is the same object the steps read.
    private static readonly string[] ClientVersions = ["V2", "V1", "V2beta1", "V1beta2", "V1beta1", "V1alpha3", "V1alpha2", "V1alpha1"];
    private static readonly Lazy<Type[]> OwnTypes = new(() => typeof(ApplySet).Assembly.GetTypes());
    private static readonly System.Collections.Concurrent.ConcurrentDictionary<string, KubernetesEntityAttribute?> Entities = new();

    // The model of a "Kind.group", at its newest stable version where there is one; null when there is none.
    private static KubernetesEntityAttribute? EntityOf(string groupKind) => Entities.GetOrAdd(groupKind, key =>
    {
        var kind = key.Split('.')[0];
        var client = typeof(V1Namespace).Assembly;
        KubernetesEntityAttribute? Stable(IEnumerable<Type> types) => types
            .Select(type => type.GetCustomAttribute<KubernetesEntityAttribute>())
            .OfType<KubernetesEntityAttribute>()
            .Where(entity => GroupKind(entity.Group, entity.Kind) == key)
            .OrderBy(entity => entity.ApiVersion.Contains("alpha") || entity.ApiVersion.Contains("beta"))
            .FirstOrDefault();
        return Stable(ClientVersions.Select(version => client.GetType($"k8s.Models.{version}{kind}", throwOnError: false, ignoreCase: true)).OfType<Type>()
                .Concat(OwnTypes.Value))
            ?? Stable(client.GetTypes());
    });

    public ApplySet(string ns)
    {
        Namespace = ns;
        Id = IdOf(ParentName, ns, "ConfigMap", string.Empty);
    }

    /// <summary>kubectl's rule for a parent's id: base64url(sha256("name.namespace.kind.group")) between "applyset-" and "-v1".</summary>
    public static string IdOf(string name, string ns, string kind, string group)
    {
        var hash = SHA256.HashData(Encoding.UTF8.GetBytes($"{name}.{ns}.{kind}.{group}"));
        return $"applyset-{System.Buffers.Text.Base64Url.EncodeToString(hash)}-v1";
    }

    public string Namespace { get; }

    public string Id { get; }

    public ResourceAddress ParentAddress => ResourceAddress.For<V1ConfigMap>(Namespace, ParentName);

    public static string GroupKind(ResourceAddress address) => GroupKind(address.Group, address.Kind);

    /// <summary>
    /// The parent as the pipeline sets it, naming <paramref name="groupKinds"/> as the kinds its members have, and
    /// <paramref name="namespaces"/> (those besides its own) as where they are.
    /// </summary>
    public V1ConfigMap Parent(IEnumerable<string> groupKinds, IEnumerable<string> namespaces) => new()
    {
        ApiVersion = "v1",
        Kind = "ConfigMap",
        Metadata = new V1ObjectMeta
        {
            Name = ParentName,
            NamespaceProperty = Namespace,
            Labels = new Dictionary<string, string>
            {
                [IdLabel] = Id,
                ["app.kubernetes.io/managed-by"] = "registry-pipeline",
            },
            Annotations = new Dictionary<string, string>
            {
                [ToolingAnnotation] = Tooling,
                [GroupKindsAnnotation] = string.Join(',', groupKinds.Distinct().Order(StringComparer.Ordinal)),
            }
            .Concat(namespaces.Where(ns => ns != Namespace).Distinct().Order(StringComparer.Ordinal).ToList() is { Count: > 0 } others
                ? [new KeyValuePair<string, string>(AdditionalNamespacesAnnotation, string.Join(',', others))]
                : [])
            .ToDictionary(),
        },
    };

    /// <summary>Marks <paramref name="item"/> as a member, and as holding data when it does.</summary>
    public void Adopt(IKubernetesObject<V1ObjectMeta> item, bool holdsData)
    {
        item.Metadata.Labels ??= new Dictionary<string, string>();
        item.Metadata.Labels[PartOfLabel] = Id;
        if (holdsData)
        {
            item.Metadata.Annotations ??= new Dictionary<string, string>();
            item.Metadata.Annotations[HoldsDataAnnotation] = "true";
        }

        if (item is Kubernetes.CertManager.Certificate { Spec: { } spec })
        {
            spec["secretTemplate"] = new JsonObject { ["labels"] = new JsonObject { [MadeForLabel] = Id } };
        }
    }

    /// <summary>
    /// Deletes a member, and what cert-manager made for it alone: an ACME Issuer's account key (a new account is
    /// registered should one be needed again).
    /// </summary>
    /// <returns>What was deleted.</returns>
    public async Task<IReadOnlyList<ResourceAddress>> DeleteMemberAsync(KubernetesApi api, JsonObject member, CancellationToken cancellationToken)
    {
        var address = AddressOf(member);
        var deleted = new List<ResourceAddress>();
        if (await api.DeleteAsync(address, cancellationToken))
        {
            deleted.Add(address);
        }

        // Only when no other Issuer in the namespace uses the same account.
        if (AccountKeyOf(member) is { } accountKey)
        {
            var issuers = await api.ListAsync(address with { Name = string.Empty }, null, cancellationToken);
            var shared = issuers["items"]?.AsArray().OfType<JsonObject>().Any(issuer =>
                issuer["metadata"]?["name"]?.GetValue<string>() != address.Name && AccountKeyOf(issuer) == accountKey) == true;
            var secret = ResourceAddress.For<V1Secret>(address.Namespace, accountKey);
            if (!shared && await api.DeleteAsync(secret, cancellationToken))
            {
                deleted.Add(secret);
            }
        }

        return deleted;
    }

    /// <summary>The Secret an ACME Issuer keeps its account key in; null for any other object.</summary>
    public static string? AccountKeyOf(JsonObject item) =>
        item["kind"]?.GetValue<string>() is "Issuer" or null ? item["spec"]?["acme"]?["privateKeySecretRef"]?["name"]?.GetValue<string>() : null;

    /// <summary>Deletes what cert-manager wrote for member Certificates (labelled made-for): only a purge does, since a CA clients trust is among it.</summary>
    public async Task<IReadOnlyList<ResourceAddress>> DeleteMadeForAsync(KubernetesApi api, CancellationToken cancellationToken)
    {
        var deleted = new List<ResourceAddress>();
        var secrets = await api.ListAsync(ResourceAddress.For<V1Secret>(Namespace), $"{MadeForLabel}={Id}", cancellationToken);
        foreach (var name in secrets["items"]?.AsArray().Select(item => item?["metadata"]?["name"]?.GetValue<string>()).OfType<string>() ?? [])
        {
            var address = ResourceAddress.For<V1Secret>(Namespace, name);
            await api.DeleteAsync(address, cancellationToken);
            deleted.Add(address);
        }

        return deleted;
    }

    public bool IsMember(JsonObject? item) => item?["metadata"]?["labels"]?[PartOfLabel]?.GetValue<string>() == Id;

    public bool IsParent(JsonObject? item) => item?["metadata"]?["labels"]?[IdLabel]?.GetValue<string>() == Id;

    public bool IsMadeForMember(JsonObject? item) => item?["metadata"]?["labels"]?[MadeForLabel]?.GetValue<string>() == Id;

    public static bool HoldsData(JsonObject item) => item["metadata"]?["annotations"]?[HoldsDataAnnotation]?.GetValue<string>() == "true";

    /// <summary>The member kinds the live parent names; empty when there is no parent.</summary>
    public static IReadOnlyList<string> GroupKindsOf(JsonObject? parent) =>
        parent?["metadata"]?["annotations"]?[GroupKindsAnnotation]?.GetValue<string>() is { Length: > 0 } kinds
            ? kinds.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            : [];

    /// <summary>The namespaces besides its own that the live parent names; empty when there is no parent.</summary>
    public static IReadOnlyList<string> NamespacesOf(JsonObject? parent) =>
        parent?["metadata"]?["annotations"]?[AdditionalNamespacesAnnotation]?.GetValue<string>() is { Length: > 0 } namespaces
            ? namespaces.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            : [];

    /// <summary>
    /// The live members of the kinds given, each kind listed by the part-of label where kubectl looks for members:
    /// in the parent's namespace and the <paramref name="namespaces"/> besides it, or cluster-wide for a cluster-scoped
    /// kind. A kind the server no longer serves has no members; a kind this pipeline has no model for is an error naming it.
    /// </summary>
    public async Task<IReadOnlyList<JsonObject>> MembersAsync(
        KubernetesApi api, IEnumerable<string> groupKinds, IEnumerable<string> namespaces, CancellationToken cancellationToken)
    {
        var where = namespaces.Prepend(Namespace).Distinct().ToList();
        var collections = new List<ResourceAddress>();
        foreach (var groupKind in groupKinds.Distinct())
        {
            if (EntityOf(groupKind) is not { } entity)
            {
                throw new InvalidOperationException(
                    $"The inventory {Namespace}/{ParentName} names {groupKind} as a member kind, which this version of the pipeline does not know; use the version that created it.");
            }

            // The namespace is the only cluster-scoped kind this pipeline has ever made a member; a kind the server no
            // longer serves lists nothing.
            foreach (var ns in groupKind == "Namespace" ? [null] : where.Cast<string?>())
            {
                collections.Add(new ResourceAddress(entity.Group, entity.ApiVersion, entity.PluralName, entity.Kind, ns, string.Empty));
            }
        }

        // Independent lists, made together; each is the run's view, shared with every step that reads a member.
        var lists = await Task.WhenAll(collections.Select(collection => api.ReadListAsync(collection, $"{PartOfLabel}={Id}", cancellationToken)));
        return [.. lists.SelectMany(list => list["items"]?.AsArray().OfType<JsonObject>() ?? [])];
    }

    /// <summary>
    /// Reads every member the live parent records, a list per kind and namespace, so that the run's later reads of
    /// them (credentials, skip checks, applies, prune) ask the server nothing more.
    /// </summary>
    /// <param name="expectedKinds">Kinds listed together with the parent's read, not after it (what it named a moment before).</param>
    public async Task ReadAllAsync(KubernetesApi api, IReadOnlyList<string> expectedKinds, CancellationToken cancellationToken)
    {
        await Task.WhenAll(MembersAsync(api, expectedKinds, [], cancellationToken), NamedAsync());

        async Task NamedAsync()
        {
            var parent = await api.ReadAsync(ParentAddress, cancellationToken);
            if (IsParent(parent))
            {
                // Lists already under way are shared, not asked again.
                await MembersAsync(api, GroupKindsOf(parent), NamespacesOf(parent), cancellationToken);
            }
        }
    }

    public static ResourceAddress AddressOf(JsonObject item)
    {
        var apiVersion = item["apiVersion"]!.GetValue<string>();
        var (group, version) = apiVersion.Contains('/') ? (apiVersion.Split('/')[0], apiVersion.Split('/')[1]) : (string.Empty, apiVersion);
        var kind = item["kind"]!.GetValue<string>();
        var plural = EntityOf(GroupKind(group, kind))?.PluralName ?? kind.ToLowerInvariant() + "s";
        return new ResourceAddress(group, version, plural, kind, item["metadata"]?["namespace"]?.GetValue<string>(), item["metadata"]!["name"]!.GetValue<string>());
    }

    private static string GroupKind(string group, string kind) => group.Length == 0 ? kind : $"{kind}.{group}";
}
