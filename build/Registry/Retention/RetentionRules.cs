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

    /// <summary>
    /// Before this, a created date is a placeholder, not a build date: reproducible builds (ko, Jib, Bazel,
    /// SOURCE_DATE_EPOCH=0) write 1970-01-01, and an image pushed today would look 56 years old.
    /// </summary>
    public static readonly DateTimeOffset EarliestBuildDate = new(1990, 1, 1, 0, 0, 0, TimeSpan.Zero);

    /// <param name="tags">The tags of one repository.</param>
    public IReadOnlyList<RetentionVerdict> Decide(IReadOnlyList<TaggedImage> tags)
    {
        tags = [.. tags.Select(tag => tag.Created < EarliestBuildDate ? tag with { Created = null } : tag)];
        // The newest retain-count by date, and every tag as new as the last of them: a tie is never split by name.
        var cutoff = tags.Where(tag => tag.Created is not null).Select(tag => tag.Created!.Value).OrderDescending().Skip(count - 1).FirstOrDefault();
        var newest = count > 0 ? tags.Where(tag => tag.Created >= cutoff).ToHashSet() : [];
        var verdicts = tags.Select(tag => Verdict(tag, newest)).ToList();
        // A kept tag keeps its manifest, and a kept index the manifests it lists: deleting one of those breaks the image.
        var keptDigests = new Dictionary<string, string>();
        foreach (var kept in verdicts.Where(verdict => verdict.Keep).Select(verdict => verdict.Image))
        {
            keptDigests.TryAdd(kept.Digest, $"same manifest as {kept.Tag}, which is kept");
            foreach (var child in kept.Children ?? [])
            {
                keptDigests.TryAdd(child, $"listed by {kept.Tag}'s index, which is kept");
            }
        }

        return verdicts.Select(verdict => !verdict.Keep && keptDigests.TryGetValue(verdict.Image.Digest, out var reason)
            ? verdict with { Keep = true, Reason = reason }
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
            return new(tag, true, "its image has no created date (or a placeholder one)");
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
