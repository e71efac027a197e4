using System.Text.RegularExpressions;

namespace Registry.Build.Registry;

/// <summary>
/// What a garbage-collect Job's log says it did: the blobs on a filesystem store before and after (its script counts
/// them) and what <c>registry garbage-collect</c> marked and found eligible for deletion.
/// </summary>
public sealed partial record GarbageCollectReport(long? BlobsBefore, long? BytesBefore, long? BlobsAfter, long? BytesAfter, string? Marked)
{
    /// <summary>The cache-reset container's line, when the replicas share a Redis cache.</summary>
    public string? CacheReset { get; init; }

    public static GarbageCollectReport Of(IReadOnlyList<string> log)
    {
        var before = log.Select(line => Count().Match(line)).FirstOrDefault(match => match.Success && match.Groups["when"].Value == "before");
        var after = log.Select(line => Count().Match(line)).LastOrDefault(match => match.Success && match.Groups["when"].Value == "after");
        var marked = log.Select(line => Summary().Match(line)).LastOrDefault(match => match.Success)?.Value;
        return new(Number(before, "blobs"), Number(before, "bytes"), Number(after, "blobs"), Number(after, "bytes"), marked)
        {
            CacheReset = log.LastOrDefault(line => line.StartsWith("cache reset: ", StringComparison.Ordinal))?["cache reset: ".Length..],
        };
    }

    /// <summary>One line for the log and the run summary.</summary>
    public string Describe(bool dryRun)
    {
        var counts = BlobsBefore is { } blobsBefore && BlobsAfter is { } blobsAfter
            ? $"{blobsBefore - blobsAfter} blobs, {Settings.ByteSize.Format(BytesBefore!.Value - BytesAfter!.Value)} freed: {blobsBefore} blobs of {Settings.ByteSize.Format(BytesBefore.Value)} before, {blobsAfter} of {Settings.ByteSize.Format(BytesAfter.Value)} after"
            : "the store's size is not counted on object storage";
        return dryRun
            ? $"Dry run: nothing was deleted; {Marked ?? "garbage-collect reported no counts"}."
            : $"{counts}; garbage-collect: {Marked ?? "no counts reported"}{(CacheReset is null ? string.Empty : $"; Redis: {CacheReset}")}.";
    }

    private static long? Number(Match? match, string group) =>
        match is { Success: true } && long.TryParse(match.Groups[group].Value, out var value) ? value : null;

    [GeneratedRegex(@"^(?<when>before|after): (?<blobs>\d+) blobs, (?<bytes>\d+) bytes")]
    private static partial Regex Count();

    // distribution's summary line: "3 blobs marked, 2 blobs and 0 manifests eligible for deletion".
    [GeneratedRegex(@"\d+ blobs marked, \d+ blobs and \d+ manifests eligible for deletion")]
    private static partial Regex Summary();
}
