using System.Text.Json.Nodes;
using Registry.Build.Kubernetes;

namespace Registry.Build.Tests.Kubernetes;

public sealed class ManifestComparisonTests
{
    [Fact]
    public void Server_defaults_and_status_are_not_differences()
    {
        var differences = Compare(
            """{"spec": {"replicas": 1}}""",
            """{"spec": {"replicas": 1, "revisionHistoryLimit": 10}, "status": {"replicas": 1}}""");

        Assert.Empty(differences);
    }

    [Theory]
    [InlineData("3e83920571648203", "1a2b3c4d5e6f7a8b")]
    [InlineData("9e99999999", "0123456789abcdef")]
    public void A_digest_that_looks_like_a_number_with_a_huge_exponent_is_a_plain_difference_not_a_crash(string desired, string live)
    {
        static string Annotated(string value) =>
            "{\"metadata\": {\"annotations\": {\"registry-pipeline/desired-digest\": \"" + value + "\", \"note\": \"" + value + "\"}}}";
        var differences = Compare(Annotated(desired), Annotated(live));

        Assert.Contains("metadata.annotations.note", differences);
    }

    [Fact]
    public void Quantities_in_other_units_are_still_the_same_value()
    {
        Assert.Empty(Compare("""{"spec": {"resources": {"requests": {"memory": "1024Mi", "cpu": "0.5"}}}}""", """{"spec": {"resources": {"requests": {"memory": "1Gi", "cpu": "500m"}}}}"""));
    }

    [Fact]
    public void Named_list_entries_are_matched_by_name_and_entries_others_added_are_ignored()
    {
        var differences = Compare(
            """{"containers": [{"name": "registry", "image": "registry:3.0.0"}]}""",
            """{"containers": [{"name": "sidecar", "image": "envoy:1"}, {"name": "registry", "image": "registry:2.8.3"}]}""");

        Assert.Equal(["containers[registry].image"], differences);
    }

    [Fact]
    public void A_missing_named_entry_is_a_difference()
    {
        Assert.Equal(["containers[registry]"], Compare("""{"containers": [{"name": "registry"}]}""", """{"containers": []}"""));
    }

    [Fact]
    public void Lists_of_values_must_match_exactly()
    {
        Assert.Equal(["args"], Compare("""{"args": ["a", "b"]}""", """{"args": ["a", "b", "c"]}"""));
        Assert.Empty(Compare("""{"args": ["a", "b"]}""", """{"args": ["a", "b"]}"""));
    }

    [Theory]
    [InlineData("1024Mi", "1Gi")]
    [InlineData("0.5", "500m")]
    [InlineData("10Gi", "10Gi")]
    public void Quantities_the_server_canonicalises_are_equal(string desired, string live)
    {
        Assert.Empty(Compare($$"""{"storage": "{{desired}}"}""", $$"""{"storage": "{{live}}"}"""));
    }

    [Fact]
    public void Different_quantities_and_numbers_are_differences()
    {
        Assert.Equal(["storage", "port"], Compare("""{"storage": "10Gi", "port": 5000}""", """{"storage": "20Gi", "port": 5001}"""));
    }

    [Fact]
    public void A_number_is_not_equal_to_the_same_digits_as_a_string()
    {
        Assert.Equal(["targetPort"], Compare("""{"targetPort": 5000}""", """{"targetPort": "5000"}"""));
    }

    private static IReadOnlyList<string> Compare(string desired, string live) =>
        ManifestComparison.Differences(JsonNode.Parse(desired)!, JsonNode.Parse(live));
}
