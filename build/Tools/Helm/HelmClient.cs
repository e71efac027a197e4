using System.Text.RegularExpressions;
using Cake.Core.IO;

namespace Registry.Build.Tools.Helm;

/// <summary>A helm executable and the version it reports.</summary>
public sealed partial record HelmClient(FilePath Path, Version Version, string Origin)
{
    /// <summary>The oldest Helm 3 that installs charts from OCI registries (cert-manager's chart is one).</summary>
    public static readonly Version Minimum = new(3, 8, 0);

    public int Major => Version.Major;

    /// <summary>The version in <c>helm version --short</c> output: "v3.21.0+g1234" or Helm 2's "Client: v2.14.1+g...".</summary>
    public static Version? ParseVersion(string output)
    {
        var match = VersionPattern().Match(output);
        return match.Success ? new Version(int.Parse(match.Groups[1].Value), int.Parse(match.Groups[2].Value), int.Parse(match.Groups[3].Value)) : null;
    }

    public override string ToString() => $"helm v{Version} ({Origin}: {Path.FullPath})";

    [GeneratedRegex(@"v(\d+)\.(\d+)\.(\d+)")]
    private static partial Regex VersionPattern();
}
