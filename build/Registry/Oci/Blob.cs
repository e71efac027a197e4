using System.Security.Cryptography;

namespace Registry.Build.Registry.Oci;

/// <summary>Content addressed by its digest. <see cref="Open"/> gives a fresh stream each time, so a blob of any size is never held in memory.</summary>
public sealed record Blob(string MediaType, string Digest, long Size, Func<Stream> Open)
{
    public static Blob FromBytes(string mediaType, byte[] content) =>
        new(mediaType, DigestOf(content), content.Length, () => new MemoryStream(content, writable: false));

    /// <summary>Reads the content once to learn its digest, then keeps only the way to read it again.</summary>
    public static async Task<Blob> FromStreamAsync(string mediaType, Func<Stream> open, CancellationToken cancellationToken)
    {
        await using var stream = open();
        var (digest, size) = await DigestAsync(stream, cancellationToken);
        return new Blob(mediaType, digest, size, open);
    }

    /// <summary>Reads a stream to its end, hashing as it goes: the digest and the size of what was read.</summary>
    public static async Task<(string Digest, long Size)> DigestAsync(Stream stream, CancellationToken cancellationToken)
    {
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        var buffer = new byte[1 << 16];
        long size = 0;
        int read;
        while ((read = await stream.ReadAsync(buffer, cancellationToken)) > 0)
        {
            hash.AppendData(buffer, 0, read);
            size += read;
        }

        return ("sha256:" + Convert.ToHexStringLower(hash.GetHashAndReset()), size);
    }

    public static string DigestOf(byte[] content) => "sha256:" + Convert.ToHexStringLower(SHA256.HashData(content));
}
