using Registry.Build.Registry.Retention;

namespace Registry.Build.Tests.Registry.Retention;

public sealed class RetentionRulesTests
{
    private static readonly DateTimeOffset Now = new(2026, 12, 3, 12, 0, 0, TimeSpan.Zero);

    private static TaggedImage Tag(string tag, int daysOld, string? digest = null) =>
        new("team/app", tag, digest ?? $"sha256:{tag}", daysOld < 0 ? null : Now.AddDays(-daysOld));

    private static string[] Deleted(RetentionRules rules, params TaggedImage[] tags) =>
        [.. rules.Decide(tags).Where(verdict => !verdict.Keep).Select(verdict => verdict.Image.Tag).Order(StringComparer.Ordinal)];

    [Fact]
    public void The_count_keeps_the_newest_by_created_date_not_by_name() =>
        Assert.Equal(["v10", "v9"], Deleted(new RetentionRules(2, 0, [], Now), Tag("v9", 30), Tag("v10", 20), Tag("v2", 10), Tag("v1", 1)));

    [Fact]
    public void The_age_rule_deletes_only_tags_older_than_the_days_given() =>
        Assert.Equal(["old"], Deleted(new RetentionRules(0, 14, [], Now), Tag("old", 15), Tag("recent", 13)));

    [Fact]
    public void With_count_and_age_a_tag_goes_only_when_it_is_outside_the_newest_and_older_than_the_days() =>
        Assert.Equal(["a"], Deleted(new RetentionRules(1, 14, [], Now), Tag("a", 30), Tag("b", 10), Tag("c", 1)));

    [Fact]
    public void Patterns_always_keep_their_tags_whatever_their_age() =>
        Assert.Equal(["build-7"], Deleted(new RetentionRules(1, 0, ["latest", "v*"], Now), Tag("latest", 400), Tag("v1.2.3", 300), Tag("build-7", 200), Tag("build-8", 1)));

    [Fact]
    public void A_tag_that_shares_its_manifest_with_a_kept_tag_is_kept_since_a_delete_by_digest_would_take_both()
    {
        var verdicts = new RetentionRules(1, 0, ["release"], Now).Decide([Tag("release", 90, "sha256:same"), Tag("ci-123", 90, "sha256:same"), Tag("new", 1)]);

        var alias = verdicts.Single(verdict => verdict.Image.Tag == "ci-123");
        Assert.True(alias.Keep);
        Assert.Equal("same manifest as release, which is kept", alias.Reason);
    }

    [Fact]
    public void A_tag_whose_image_has_no_created_date_is_kept_rather_than_guessed() =>
        Assert.Empty(Deleted(new RetentionRules(1, 1, [], Now), Tag("undated", -1), Tag("new", 0)));

    [Fact]
    public void A_tie_at_the_edge_of_the_count_keeps_every_tag_of_that_date_rather_than_pick_by_name() =>
        Assert.Equal(["old"], Deleted(new RetentionRules(2, 0, [], Now), Tag("1.37", 5), Tag("1.36", 5), Tag("1.38", 1), Tag("old", 90)));

    [Fact]
    public void A_reproducible_builds_1970_date_is_a_placeholder_so_the_age_rule_keeps_the_tag() =>
        Assert.Empty(Deleted(new RetentionRules(0, 30, [], Now), new TaggedImage("team/app", "ko-built", "sha256:ko", DateTimeOffset.UnixEpoch)));

    [Fact]
    public void A_tag_on_a_platform_manifest_that_a_kept_index_lists_is_kept()
    {
        var index = new TaggedImage("team/app", "2.0", "sha256:index", Now.AddDays(-1), ["sha256:amd64", "sha256:arm64"]);
        var platform = new TaggedImage("team/app", "2.0-amd64", "sha256:amd64", Now.AddDays(-1));
        var verdicts = new RetentionRules(1, 0, [], Now).Decide([index, platform with { Created = Now.AddDays(-3) }, Tag("1.0", 60)]);

        Assert.Equal("listed by 2.0's index, which is kept", verdicts.Single(verdict => verdict.Image.Tag == "2.0-amd64").Reason);
        Assert.False(verdicts.Single(verdict => verdict.Image.Tag == "1.0").Keep);
    }

    [Fact]
    public void Without_a_count_or_an_age_there_is_no_rule_to_apply()
    {
        Assert.False(new RetentionRules(0, 0, ["latest"], Now).Any);
        Assert.True(new RetentionRules(0, 7, [], Now).Any);
    }
}
