using System.IO.Enumeration;
using Registry.Build.Settings;

namespace Registry.Build.Registry.Retention;

/// <summary>
/// Which tags of a repository stay: those matching retain-tags, the newest retain-count, those younger than
/// retain-days, and any tag that shares its manifest with one of those (a delete by digest would take it along). A tag
/// whose image has no created date is kept: it cannot be ranked, and a guess would delete someone's release.
/// </summary>
public sealed class RetentionRules(int count, int days, IReadOnlyList<string> patterns, DateTimeOffset now)
{
    public static RetentionRules Of(RegistrySettings settings, DateTimeOffset now) => new(settings.RetainCount, settings.RetainDays, settings.RetainTags, now);

    /// <summary>Whether any rule asks to delete something; without one Retention has nothing to do.</summary>
    public bool Any => count > 0 || days > 0;

    public string Describe() => string.Join(", ", new[]
    {
        count > 0 ? $"keep the newest {count} tags of each repository" : null,
        days > 0 ? $"keep tags younger than {days} days" : null,
        patterns.Count > 0 ? $"always keep {string.Join(", ", patterns)}" : null,
    }.OfType<string>());

    /// <param name="tags">The tags of one repository.</param>
    public IReadOnlyList<RetentionVerdict> Decide(IReadOnlyList<TaggedImage> tags)
    {
        var newest = tags.Where(tag => tag.Created is not null)
            .OrderByDescending(tag => tag.Created)
            .ThenBy(tag => tag.Tag, StringComparer.Ordinal)
            .Take(count)
            .ToHashSet();
        var verdicts = tags.Select(tag => Verdict(tag, newest)).ToList();
        var keptDigests = verdicts.Where(verdict => verdict.Keep).GroupBy(verdict => verdict.Image.Digest)
            .ToDictionary(group => group.Key, group => group.First().Image.Tag);
        return verdicts.Select(verdict => !verdict.Keep && keptDigests.TryGetValue(verdict.Image.Digest, out var kept)
            ? verdict with { Keep = true, Reason = $"same manifest as {kept}, which is kept" }
            : verdict).ToList();
    }

    private RetentionVerdict Verdict(TaggedImage tag, HashSet<TaggedImage> newest)
    {
        if (patterns.FirstOrDefault(pattern => FileSystemName.MatchesSimpleExpression(pattern, tag.Tag, ignoreCase: false)) is { } pattern)
        {
            return new(tag, true, $"matches retain-tags {pattern}");
        }

        if (tag.Created is not { } created)
        {
            return new(tag, true, "its image has no created date");
        }

        if (newest.Contains(tag))
        {
            return new(tag, true, $"one of the newest {count}");
        }

        if (days > 0 && created > now.AddDays(-days))
        {
            return new(tag, true, $"younger than {days} days");
        }

        return new(tag, false, days > 0 ? $"older than {days} days{(count > 0 ? $" and not one of the newest {count}" : string.Empty)}" : $"not one of the newest {count}");
    }
}
