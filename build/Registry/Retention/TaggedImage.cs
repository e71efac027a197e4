namespace Registry.Build.Registry.Retention;

/// <summary>A tag of a repository, the manifest digest it points at and when its image was built (null when its config says not).</summary>
/// <param name="Children">For an index, the digests of the manifests it lists: a kept index needs them.</param>
public sealed record TaggedImage(string Repository, string Tag, string Digest, DateTimeOffset? Created, IReadOnlyList<string>? Children = null);
