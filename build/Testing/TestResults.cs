using System.Xml.Linq;

namespace Registry.Build.Testing;

/// <summary>The counts in a VSTest .trx file.</summary>
public sealed record TestResults(int Passed, int Failed, int Skipped)
{
    public static TestResults Read(string trxPath)
    {
        var counters = XDocument.Load(trxPath).Descendants().First(element => element.Name.LocalName == "Counters");
        int Count(string name) => int.Parse(counters.Attribute(name)?.Value ?? "0", System.Globalization.CultureInfo.InvariantCulture);
        return new TestResults(
            Count("passed"),
            Count("failed") + Count("error") + Count("timeout") + Count("aborted"),
            Count("notExecuted"));
    }

    public static TestResults Sum(IEnumerable<TestResults> results) => results.Aggregate(
        new TestResults(0, 0, 0),
        (total, next) => new TestResults(total.Passed + next.Passed, total.Failed + next.Failed, total.Skipped + next.Skipped));

    /// <summary>The plain closing line CI runners read: "Tests: N passed, N failed, N skipped".</summary>
    public override string ToString() => $"Tests: {Passed} passed, {Failed} failed, {Skipped} skipped";
}
