using System.Text;
using System.Text.Json.Nodes;
using Registry.Build.Registry.Oci;

namespace Registry.Build.Tests.Fixtures;

/// <summary>
/// An OCI image for the retention and garbage-collection tests: layers a test chooses (so images can share some and
/// not others) and a config with the created date that retention ranks by.
/// </summary>
public sealed record TestImage(Blob Config, IReadOnlyList<Blob> Layers, byte[] Manifest)
{
    private const string LayerType = "application/vnd.oci.image.layer.v1.tar";

    public static TestImage Of(DateTimeOffset created, params string[] layerTexts)
    {
        var layers = layerTexts.Select(text => Blob.FromBytes(LayerType, Encoding.UTF8.GetBytes(text))).ToList();
        var config = Blob.FromBytes("application/vnd.oci.image.config.v1+json", Encoding.UTF8.GetBytes(new JsonObject
        {
            ["created"] = created.UtcDateTime.ToString("yyyy-MM-ddTHH:mm:ssZ"),
            ["architecture"] = "amd64",
            ["os"] = "linux",
            ["rootfs"] = new JsonObject { ["type"] = "layers", ["diff_ids"] = new JsonArray([.. layers.Select(layer => (JsonNode)layer.Digest)]) },
        }.ToJsonString()));
        var manifest = Encoding.UTF8.GetBytes(new JsonObject
        {
            ["schemaVersion"] = 2,
            ["mediaType"] = SmokeImage.ManifestMediaType,
            ["config"] = Descriptor(config),
            ["layers"] = new JsonArray([.. layers.Select(layer => (JsonNode)Descriptor(layer))]),
        }.ToJsonString());
        return new TestImage(config, layers, manifest);
    }

    public string Digest => Blob.DigestOf(Manifest);

    public async Task PushAsync(RegistryClient client, string repository, string tag)
    {
        foreach (var blob in Layers.Append(Config))
        {
            if (!await client.BlobExistsAsync(repository, blob.Digest, CancellationToken.None))
            {
                await client.PushBlobAsync(repository, blob, 1 << 20, CancellationToken.None);
            }
        }

        await client.PutManifestAsync(repository, tag, Manifest, SmokeImage.ManifestMediaType, CancellationToken.None);
    }

    /// <summary>Pulls the tag and checks that the manifest and every blob are this image's, byte for byte by digest.</summary>
    public async Task AssertPullsAsync(RegistryClient client, string repository, string tag)
    {
        var manifest = await client.GetManifestAsync(repository, tag, SmokeImage.ManifestMediaType, CancellationToken.None);
        Xunit.Assert.Equal(Digest, Blob.DigestOf(manifest));
        foreach (var blob in Layers.Append(Config))
        {
            Xunit.Assert.Equal(blob.Digest, (await client.PullBlobAsync(repository, blob.Digest, CancellationToken.None)).Digest);
        }
    }

    /// <summary>Where a filesystem store keeps a blob's bytes, under its root.</summary>
    public static string BlobPath(string root, string digest) =>
        Path.Combine(root, "docker", "registry", "v2", "blobs", "sha256", digest[7..9], digest[7..], "data");

    private static JsonObject Descriptor(Blob blob) => new() { ["mediaType"] = blob.MediaType, ["digest"] = blob.Digest, ["size"] = blob.Size };
}
