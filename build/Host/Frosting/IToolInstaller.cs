using Cake.Core.Packaging;

namespace Cake.Frosting;

/// <summary>Installs a tool with the first package installer that takes its scheme.</summary>
public interface IToolInstaller
{
    void Install(PackageReference tool);
}
