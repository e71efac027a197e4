using Cake.Core.IO;

namespace Registry.Build.Workspace;

/// <summary>
/// Where the pipeline's own files are (the solution, k8s/ templates), found from where the pipeline runs:
/// every build of it (./build.sh's cache, dotnet run, the tests) lives inside the source tree.
/// </summary>
public static class SourceTree
{
    public const string SolutionFileName = "Registry.sln";

    public static DirectoryPath Root { get; } = FindRoot(AppContext.BaseDirectory);

    public static FilePath Solution => Root.CombineWithFilePath(SolutionFileName);

    private static DirectoryPath FindRoot(string start)
    {
        for (var directory = new DirectoryInfo(start); directory is not null; directory = directory.Parent)
        {
            if (File.Exists(System.IO.Path.Combine(directory.FullName, SolutionFileName)))
            {
                return new DirectoryPath(directory.FullName);
            }
        }

        throw new InvalidOperationException(
            $"The pipeline runs from {start}, which is not inside its source tree (no {SolutionFileName} above it). Run it through build.sh or build.ps1.");
    }
}
