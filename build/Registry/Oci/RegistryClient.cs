using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json.Nodes;

namespace Registry.Build.Registry.Oci;

/// <summary>
/// The parts of the OCI distribution API (v1.1) a push and a pull need, with HTTP basic authentication:
/// no Docker daemon. Blobs stream in both directions, so memory stays flat whatever their size.
/// </summary>
public sealed class RegistryClient : IDisposable
{
    private readonly HttpClient http;
    private readonly AuthenticationHeaderValue? authorization;

    public RegistryClient(Uri baseUrl, Credential? login, RegistryTrust trust)
    {
        var handler = new SocketsHttpHandler { MaxConnectionsPerServer = 4 };
        handler.SslOptions.RemoteCertificateValidationCallback = trust.Validate;
        http = new HttpClient(handler) { BaseAddress = baseUrl, Timeout = Timeout.InfiniteTimeSpan };
        authorization = login is null
            ? null
            : new AuthenticationHeaderValue("Basic", Convert.ToBase64String(Encoding.UTF8.GetBytes($"{login.User}:{login.Password.Reveal()}")));
    }

    public void Dispose() => http.Dispose();

    /// <summary>GET /v2/: the status and the challenge the registry answered with.</summary>
    public async Task<(HttpStatusCode Status, string? Challenge)> PingAsync(bool authenticate, CancellationToken cancellationToken)
    {
        using var response = await SendAsync(HttpMethod.Get, "v2/", null, authenticate, cancellationToken);
        return (response.StatusCode, response.Headers.WwwAuthenticate.FirstOrDefault()?.ToString());
    }

    public async Task<bool> BlobExistsAsync(string repository, string digest, CancellationToken cancellationToken)
    {
        using var response = await SendAsync(HttpMethod.Head, $"v2/{repository}/blobs/{digest}", null, true, cancellationToken);
        return response.StatusCode == HttpStatusCode.OK;
    }

    /// <summary>A chunked upload: POST to open it, a PATCH per chunk, and a PUT with the digest to close it.</summary>
    public async Task PushBlobAsync(string repository, Blob blob, long chunkSize, CancellationToken cancellationToken)
    {
        using var opened = await SendAsync(HttpMethod.Post, $"v2/{repository}/blobs/uploads/", null, true, cancellationToken);
        await Expect(opened, HttpStatusCode.Accepted, $"POST /v2/{repository}/blobs/uploads/", cancellationToken);
        var location = opened.Headers.Location!;

        await using var source = blob.Open();
        for (long offset = 0; offset < blob.Size; offset += chunkSize)
        {
            var length = Math.Min(chunkSize, blob.Size - offset);
            var content = new StreamContent(new ChunkStream(source, length), 1 << 20);
            content.Headers.ContentType = new MediaTypeHeaderValue("application/octet-stream");
            content.Headers.ContentLength = length;
            // The distribution API's Content-Range is "start-end", not HTTP's "bytes start-end/size".
            content.Headers.TryAddWithoutValidation("Content-Range", $"{offset}-{offset + length - 1}");
            using var patched = await SendAsync(HttpMethod.Patch, location, content, true, cancellationToken);
            await Expect(patched, HttpStatusCode.Accepted, $"PATCH of bytes {offset}-{offset + length - 1} of {blob.Digest}", cancellationToken);
            location = patched.Headers.Location!;
        }

        var close = new Uri(location.ToString() + (location.ToString().Contains('?') ? "&" : "?") + "digest=" + Uri.EscapeDataString(blob.Digest), UriKind.RelativeOrAbsolute);
        using var closed = await SendAsync(HttpMethod.Put, close, new ByteArrayContent([]), true, cancellationToken);
        await Expect(closed, HttpStatusCode.Created, $"PUT of {blob.Digest}", cancellationToken);
    }

    /// <returns>The manifest's digest, as the registry computed it.</returns>
    public async Task<string> PutManifestAsync(string repository, string tag, byte[] manifest, string mediaType, CancellationToken cancellationToken)
    {
        var content = new ByteArrayContent(manifest);
        content.Headers.ContentType = new MediaTypeHeaderValue(mediaType);
        using var response = await SendAsync(HttpMethod.Put, $"v2/{repository}/manifests/{tag}", content, true, cancellationToken);
        await Expect(response, HttpStatusCode.Created, $"PUT of manifest {repository}:{tag}", cancellationToken);
        return response.Headers.TryGetValues("Docker-Content-Digest", out var digests) ? digests.First() : Blob.DigestOf(manifest);
    }

    public async Task<IReadOnlyList<string>> CatalogAsync(CancellationToken cancellationToken) =>
        await PagedAsync("v2/_catalog?n=1000", "repositories", cancellationToken);

    public async Task<IReadOnlyList<string>> TagsAsync(string repository, CancellationToken cancellationToken) =>
        await PagedAsync($"v2/{repository}/tags/list?n=1000", "tags", cancellationToken);

    public async Task<byte[]> GetManifestAsync(string repository, string reference, string mediaType, CancellationToken cancellationToken)
    {
        using var request = Request(HttpMethod.Get, $"v2/{repository}/manifests/{reference}", null, true);
        request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue(mediaType));
        using var response = await http.SendAsync(request, cancellationToken);
        await Expect(response, HttpStatusCode.OK, $"GET of manifest {repository}:{reference}", cancellationToken);
        return await response.Content.ReadAsByteArrayAsync(cancellationToken);
    }

    /// <summary>Every kind of manifest a client takes: OCI and Docker, an image's or an index of platforms.</summary>
    private static readonly string[] AnyManifest =
    [
        "application/vnd.oci.image.index.v1+json",
        "application/vnd.docker.distribution.manifest.list.v2+json",
        "application/vnd.oci.image.manifest.v1+json",
        "application/vnd.docker.distribution.manifest.v2+json",
    ];

    /// <summary>A manifest of whichever kind the registry holds it as, with its media type and digest.</summary>
    public async Task<(byte[] Content, string MediaType, string Digest)> GetAnyManifestAsync(string repository, string reference, CancellationToken cancellationToken)
    {
        using var request = Request(HttpMethod.Get, $"v2/{repository}/manifests/{reference}", null, true);
        foreach (var mediaType in AnyManifest)
        {
            request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue(mediaType));
        }

        using var response = await http.SendAsync(request, cancellationToken);
        await Expect(response, HttpStatusCode.OK, $"GET of manifest {repository}:{reference}", cancellationToken);
        var content = await response.Content.ReadAsByteArrayAsync(cancellationToken);
        var digest = response.Headers.TryGetValues("Docker-Content-Digest", out var digests) ? digests.First() : Blob.DigestOf(content);
        return (content, response.Content.Headers.ContentType?.MediaType ?? string.Empty, digest);
    }

    /// <summary>A small blob (an image's config) read whole.</summary>
    public async Task<byte[]> GetBlobAsync(string repository, string digest, CancellationToken cancellationToken)
    {
        using var response = await SendAsync(HttpMethod.Get, $"v2/{repository}/blobs/{digest}", null, true, cancellationToken);
        await Expect(response, HttpStatusCode.OK, $"GET of blob {digest}", cancellationToken);
        return await response.Content.ReadAsByteArrayAsync(cancellationToken);
    }

    /// <summary>
    /// Opens an upload and cancels it at once: whether the registry takes pushes. The status is 202 when it does, 405
    /// when it is read-only (distribution has no write methods then), 401 without a valid login.
    /// </summary>
    public async Task<HttpStatusCode> ProbeUploadAsync(string repository, CancellationToken cancellationToken)
    {
        using var opened = await SendAsync(HttpMethod.Post, $"v2/{repository}/blobs/uploads/", null, true, cancellationToken);
        if (opened.StatusCode == HttpStatusCode.Accepted && opened.Headers.Location is { } location)
        {
            using var cancelled = await SendAsync(HttpMethod.Delete, location, null, true, cancellationToken);
        }

        return opened.StatusCode;
    }

    /// <returns>The digest and size of what the registry sent, read as it streams in.</returns>
    public async Task<(string Digest, long Size)> PullBlobAsync(string repository, string digest, CancellationToken cancellationToken)
    {
        using var response = await SendAsync(HttpMethod.Get, $"v2/{repository}/blobs/{digest}", null, true, cancellationToken);
        await Expect(response, HttpStatusCode.OK, $"GET of blob {digest}", cancellationToken);
        await using var stream = await response.Content.ReadAsStreamAsync(cancellationToken);
        return await Blob.DigestAsync(stream, cancellationToken);
    }

    /// <param name="collection"><c>manifests</c> or <c>blobs</c>.</param>
    /// <returns>False when the registry does not allow deletes (storage.delete.enabled is false).</returns>
    public async Task<bool> DeleteAsync(string repository, string collection, string digest, CancellationToken cancellationToken)
    {
        using var response = await SendAsync(HttpMethod.Delete, $"v2/{repository}/{collection}/{digest}", null, true, cancellationToken);
        if (response.StatusCode == HttpStatusCode.MethodNotAllowed)
        {
            return false;
        }

        await Expect(response, HttpStatusCode.Accepted, $"DELETE of {collection} {repository}@{digest}", cancellationToken);
        return true;
    }

    private async Task<IReadOnlyList<string>> PagedAsync(string first, string field, CancellationToken cancellationToken)
    {
        var all = new List<string>();
        for (var next = first; next is not null;)
        {
            using var response = await SendAsync(HttpMethod.Get, next, null, true, cancellationToken);
            await Expect(response, HttpStatusCode.OK, $"GET {next.Split('?')[0]}", cancellationToken);
            var page = JsonNode.Parse(await response.Content.ReadAsStringAsync(cancellationToken));
            all.AddRange(page?[field]?.AsArray().Select(item => item!.GetValue<string>()) ?? []);
            next = response.Headers.TryGetValues("Link", out var links)
                ? links.First().Split(';')[0].Trim('<', '>', ' ').TrimStart('/')
                : null;
        }

        return all;
    }

    private Task<HttpResponseMessage> SendAsync(HttpMethod method, string path, HttpContent? content, bool authenticate, CancellationToken cancellationToken) =>
        SendAsync(method, new Uri(path, UriKind.Relative), content, authenticate, cancellationToken);

    private async Task<HttpResponseMessage> SendAsync(HttpMethod method, Uri uri, HttpContent? content, bool authenticate, CancellationToken cancellationToken)
    {
        using var request = Request(method, uri.IsAbsoluteUri ? uri.ToString() : uri.ToString().TrimStart('/'), content, authenticate);
        return await http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, cancellationToken);
    }

    private HttpRequestMessage Request(HttpMethod method, string uri, HttpContent? content, bool authenticate)
    {
        var request = new HttpRequestMessage(method, uri) { Content = content };
        if (authenticate && authorization is not null)
        {
            request.Headers.Authorization = authorization;
        }

        return request;
    }

    private static async Task Expect(HttpResponseMessage response, HttpStatusCode expected, string what, CancellationToken cancellationToken)
    {
        if (response.StatusCode != expected)
        {
            throw new RegistryApiException(what, response.StatusCode, await response.Content.ReadAsStringAsync(cancellationToken));
        }
    }

    /// <summary>The next <c>length</c> bytes of a stream, as a stream of their own, so a chunk is never buffered.</summary>
    private sealed class ChunkStream(Stream source, long size) : Stream
    {
        private long read;

        private long Remaining => size - read;

        public override bool CanRead => true;

        public override bool CanSeek => false;

        public override bool CanWrite => false;

        public override long Length => size;

        public override long Position
        {
            get => read;
            set => throw new NotSupportedException();
        }

        public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

        public override int Read(Span<byte> buffer)
        {
            if (Remaining == 0)
            {
                return 0;
            }

            var count = source.Read(buffer[..(int)Math.Min(buffer.Length, Remaining)]);
            read += count;
            return count;
        }

        public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
        {
            if (Remaining == 0)
            {
                return 0;
            }

            var count = await source.ReadAsync(buffer[..(int)Math.Min(buffer.Length, Remaining)], cancellationToken);
            read += count;
            return count;
        }

        public override void Flush()
        {
        }

        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

        public override void SetLength(long value) => throw new NotSupportedException();

        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    }
}
