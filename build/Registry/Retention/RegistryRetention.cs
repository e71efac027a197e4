using System.Globalization;
using System.Text.Json.Nodes;
using Cake.Core.Diagnostics;
using Registry.Build.Registry.Oci;

namespace Registry.Build.Registry.Retention;

/// <summary>
/// Retention over the registry's own API, as any client could do it: the catalog, each repository's tags, each
/// tag's manifest and the created date in its image's config; then a delete of each manifest no kept tag points at.
/// The blobs stay until GarbageCollect: a delete only unlinks.
/// </summary>
public sealed class RegistryRetention(RegistryClient client, ICakeLog log)
{
    /// <returns>The verdict on every tag; deleted are those not kept (or, with <paramref name="dryRun"/>, would be).</returns>
    public async Task<IReadOnlyList<RetentionVerdict>> ApplyAsync(RetentionRules rules, bool dryRun, CancellationToken cancellationToken)
    {
        var all = new List<RetentionVerdict>();
        foreach (var repository in await client.CatalogAsync(cancellationToken))
        {
            var tags = new List<TaggedImage>();
            // A repository left by an interrupted push (or whose tags are all gone) has no tags to list: nothing to do there.
            foreach (var tag in await Unless404Async(() => client.TagsAsync(repository, cancellationToken)) ?? [])
            {
                // A tag deleted since the list was read is simply gone.
                byte[] content;
                string mediaType, digest;
                try
                {
                    (content, mediaType, digest) = await client.GetAnyManifestAsync(repository, tag, cancellationToken);
                }
                catch (RegistryApiException exception) when (exception.Status == System.Net.HttpStatusCode.NotFound)
                {
                    continue;
                }

                var children = JsonNode.Parse(content)?["manifests"]?.AsArray().Select(child => child?["digest"]?.GetValue<string>()).OfType<string>().ToList();
                tags.Add(new TaggedImage(repository, tag, digest, await CreatedAsync(repository, content, mediaType, cancellationToken), children));
            }

            var verdicts = rules.Decide(tags);
            all.AddRange(verdicts);
            foreach (var verdict in verdicts.Where(verdict => !verdict.Keep))
            {
                log.Information($"{(dryRun ? "Would delete" : "Deletes")} {repository}:{verdict.Image.Tag} (created {verdict.Image.Created:yyyy-MM-dd}, {verdict.Image.Digest[..19]}…): {verdict.Reason}.");
            }

            foreach (var verdict in verdicts.Where(verdict => verdict.Keep))
            {
                log.Verbose($"Keeps {repository}:{verdict.Image.Tag}: {verdict.Reason}.");
            }

            // One delete per manifest: it removes every tag that points at it.
            foreach (var digest in dryRun ? [] : verdicts.Where(verdict => !verdict.Keep).Select(verdict => verdict.Image.Digest).Distinct())
            {
                if (!await client.DeleteAsync(repository, "manifests", digest, cancellationToken))
                {
                    throw new Cake.Core.CakeException($"The registry refused to delete {repository}@{digest} (405): it does not allow deletes. Deploy with delete-enabled=true first.");
                }
            }
        }

        return all;
    }

    private static async Task<T?> Unless404Async<T>(Func<Task<T>> read)
    {
        try
        {
            return await read();
        }
        catch (RegistryApiException exception) when (exception.Status == System.Net.HttpStatusCode.NotFound)
        {
            return default;
        }
    }

    // The image's build date from its config; an index takes its first image's. Null when there is none to read: the tag is kept.
    private async Task<DateTimeOffset?> CreatedAsync(string repository, byte[] content, string mediaType, CancellationToken cancellationToken)
    {
        try
        {
            return await ReadCreatedAsync(repository, content, mediaType, cancellationToken);
        }
        catch (Exception exception) when (exception is System.Text.Json.JsonException or InvalidOperationException or FormatException or RegistryApiException { Status: System.Net.HttpStatusCode.NotFound })
        {
            return null;
        }
    }

    private async Task<DateTimeOffset?> ReadCreatedAsync(string repository, byte[] content, string mediaType, CancellationToken cancellationToken)
    {
        var manifest = JsonNode.Parse(content);
        if (manifest?["manifests"] is JsonArray { Count: > 0 } children && children[0]?["digest"]?.GetValue<string>() is { } first)
        {
            var (child, childType, _) = await client.GetAnyManifestAsync(repository, first, cancellationToken);
            return childType.Contains("index", StringComparison.Ordinal) || childType.Contains("list", StringComparison.Ordinal)
                ? null
                : await ReadCreatedAsync(repository, child, childType, cancellationToken);
        }

        if (manifest?["config"]?["digest"]?.GetValue<string>() is not { } config)
        {
            return null;
        }

        var created = JsonNode.Parse(await client.GetBlobAsync(repository, config, cancellationToken))?["created"]?.GetValue<string>();
        return DateTimeOffset.TryParse(created, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var date) ? date : null;
    }
}
