using Cake.Core.IO;

namespace Cake.Frosting.Internal;

/// <summary>The working directory <see cref="CakeHostExtensions.UseWorkingDirectory"/> asked for.</summary>
internal sealed class WorkingDirectory(DirectoryPath path)
{
    public DirectoryPath Path { get; } = path ?? throw new ArgumentNullException(nameof(path));
}
