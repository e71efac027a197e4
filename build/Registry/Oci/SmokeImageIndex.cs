using System.Text;
using System.Text.Json.Nodes;

namespace Registry.Build.Registry.Oci;

/// <summary>
/// The smoke image for every platform a cluster's nodes are likely to run: an OCI image index naming one manifest
/// per architecture, all on the same layer. A container runtime picks the manifest of its node's platform, so the
/// cluster pull check works on amd64 and arm64 nodes alike.
/// </summary>
public sealed record SmokeImageIndex(IReadOnlyList<SmokeImage> Images, byte[] Index)
{
    public const string MediaType = "application/vnd.oci.image.index.v1+json";

    public static readonly IReadOnlyList<string> Architectures = ["amd64", "arm64"];

    public static SmokeImageIndex Of(SmokeImage image)
    {
        var images = Architectures.Select(image.For).ToList();
        var index = new JsonObject
        {
            ["schemaVersion"] = 2,
            ["mediaType"] = MediaType,
            ["manifests"] = new JsonArray([.. images.Select(each => (JsonNode)new JsonObject
            {
                ["mediaType"] = SmokeImage.ManifestMediaType,
                ["digest"] = each.ManifestDigest,
                ["size"] = each.Manifest.Length,
                ["platform"] = new JsonObject { ["architecture"] = each.Architecture, ["os"] = "linux" },
            })]),
        };
        return new SmokeImageIndex(images, Encoding.UTF8.GetBytes(index.ToJsonString()));
    }

    public string Digest => Blob.DigestOf(Index);

    /// <summary>Every blob once: the shared layer, then each platform's config.</summary>
    public IReadOnlyList<Blob> Blobs => [Images[0].Layer, .. Images.Select(image => image.Config)];
}
