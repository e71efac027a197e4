using System.Formats.Tar;
using System.IO.Compression;
using System.Text;
using System.Text.Json.Nodes;

namespace Registry.Build.Registry.Oci;

/// <summary>A valid OCI image made in memory for one platform (linux/<paramref name="Architecture"/>): an image config and one layer, with their real digests.</summary>
public sealed record SmokeImage(Blob Config, Blob Layer, byte[] Manifest, string Architecture = "amd64")
{
    public const string ManifestMediaType = "application/vnd.oci.image.manifest.v1+json";
    private const string ConfigMediaType = "application/vnd.oci.image.config.v1+json";

    /// <summary>A small layer: a gzipped tar holding one file that names this run.</summary>
    public static SmokeImage Small(string id)
    {
        using var tar = new MemoryStream();
        using (var writer = new TarWriter(tar, leaveOpen: true))
        {
            writer.WriteEntry(new PaxTarEntry(TarEntryType.RegularFile, "registry-pipeline-smoke-test.txt")
            {
                DataStream = new MemoryStream(Encoding.UTF8.GetBytes($"pushed by the registry pipeline's smoke test {id}\n")),
            });
        }

        var uncompressed = tar.ToArray();
        using var gzipped = new MemoryStream();
        using (var gzip = new GZipStream(gzipped, CompressionLevel.Optimal, leaveOpen: true))
        {
            gzip.Write(uncompressed);
        }

        var layer = Blob.FromBytes("application/vnd.oci.image.layer.v1.tar+gzip", gzipped.ToArray());
        return Build(layer, Blob.DigestOf(uncompressed));
    }

    /// <summary>A large layer of pseudo-random bytes, read from its generator and never held whole.</summary>
    public static async Task<SmokeImage> LargeAsync(long size, ulong seed, CancellationToken cancellationToken)
    {
        var layer = await Blob.FromStreamAsync("application/vnd.oci.image.layer.v1.tar", () => new PseudoRandomStream(size, seed), cancellationToken);
        return Build(layer, layer.Digest);
    }

    /// <summary>The same layer as an image for another architecture: its own config, so its own manifest.</summary>
    public SmokeImage For(string architecture) =>
        Build(Layer, JsonNode.Parse(Config.Open())!["rootfs"]!["diff_ids"]![0]!.GetValue<string>(), architecture);

    public string ManifestDigest => Blob.DigestOf(Manifest);

    private static SmokeImage Build(Blob layer, string diffId, string architecture = "amd64")
    {
        var config = Blob.FromBytes(ConfigMediaType, Encoding.UTF8.GetBytes(new JsonObject
        {
            ["architecture"] = architecture,
            ["os"] = "linux",
            ["config"] = new JsonObject(),
            ["rootfs"] = new JsonObject { ["type"] = "layers", ["diff_ids"] = new JsonArray(diffId) },
        }.ToJsonString()));
        var manifest = Encoding.UTF8.GetBytes(new JsonObject
        {
            ["schemaVersion"] = 2,
            ["mediaType"] = ManifestMediaType,
            ["config"] = Descriptor(config),
            ["layers"] = new JsonArray(Descriptor(layer)),
        }.ToJsonString());
        return new SmokeImage(config, layer, manifest, architecture);
    }

    private static JsonObject Descriptor(Blob blob) => new()
    {
        ["mediaType"] = blob.MediaType,
        ["digest"] = blob.Digest,
        ["size"] = blob.Size,
    };
}
