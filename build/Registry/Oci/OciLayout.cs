using System.Text.Json.Nodes;

namespace Registry.Build.Registry.Oci;

/// <summary>An image written as an OCI image layout on disk, the form <c>skopeo copy oci:DIR:TAG</c> reads.</summary>
public static class OciLayout
{
    /// <returns>Each blob of the image, now backed by its file in the layout.</returns>
    public static async Task<SmokeImage> WriteAsync(SmokeImage image, string directory, string tag, CancellationToken cancellationToken)
    {
        var blobs = Path.Combine(directory, "blobs", "sha256");
        Directory.CreateDirectory(blobs);
        await File.WriteAllTextAsync(Path.Combine(directory, "oci-layout"), """{"imageLayoutVersion":"1.0.0"}""", cancellationToken);
        var written = new List<Blob>();
        foreach (var blob in new[] { image.Config, image.Layer })
        {
            var path = Path.Combine(blobs, blob.Digest["sha256:".Length..]);
            await using (var source = blob.Open())
            await using (var target = File.Create(path))
            {
                await source.CopyToAsync(target, 1 << 20, cancellationToken);
                // On the disk before a push reads it: whichever push came next would otherwise wait for it being written back.
                target.Flush(flushToDisk: true);
            }

            written.Add(blob with { Open = () => File.OpenRead(path) });
        }

        var manifestDigest = Blob.DigestOf(image.Manifest);
        await File.WriteAllBytesAsync(Path.Combine(blobs, manifestDigest["sha256:".Length..]), image.Manifest, cancellationToken);
        var index = new JsonObject
        {
            ["schemaVersion"] = 2,
            ["manifests"] = new JsonArray(new JsonObject
            {
                ["mediaType"] = SmokeImage.ManifestMediaType,
                ["digest"] = manifestDigest,
                ["size"] = image.Manifest.Length,
                ["annotations"] = new JsonObject { ["org.opencontainers.image.ref.name"] = tag },
            }),
        };
        await File.WriteAllTextAsync(Path.Combine(directory, "index.json"), index.ToJsonString(), cancellationToken);
        return image with { Config = written[0], Layer = written[1] };
    }
}
