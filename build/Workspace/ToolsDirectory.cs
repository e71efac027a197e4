using Cake.Core.IO;

namespace Registry.Build.Workspace;

/// <summary>Where downloaded tools (a pinned Helm) are unpacked: tools/ beside the pipeline's sources.</summary>
public sealed record ToolsDirectory(DirectoryPath Path)
{
    public static ToolsDirectory InSourceTree() => new(SourceTree.Root.Combine("tools"));
}
