using Cake.Core.IO;
using Cake.Core.Packaging;
using Microsoft.Extensions.DependencyInjection;

namespace Cake.Frosting.Internal;

/// <summary>
/// A package installer built on first use. Cake 7's context takes the tool installer, which takes every package
/// installer, and building the NuGet one loads the NuGet client: a tenth of a second on every run, even one that
/// installs nothing. Deferred, only a run that installs a tool pays it; what installs, and how, is unchanged.
/// </summary>
internal sealed class DeferredPackageInstaller(Func<IPackageInstaller> create) : IPackageInstaller
{
    private readonly Lazy<IPackageInstaller> installer = new(create);

    public bool CanInstall(PackageReference package, PackageType type) => installer.Value.CanInstall(package, type);

    public IReadOnlyCollection<IFile> Install(PackageReference package, PackageType type, DirectoryPath path) => installer.Value.Install(package, type, path);

    /// <summary>Defers every package installer registered so far, in place, each still built by the container from its own type.</summary>
    public static void DeferAll(IServiceCollection services)
    {
        for (var index = 0; index < services.Count; index++)
        {
            if (services[index] is { ServiceType: var service, ImplementationType: { } implementation, Lifetime: var lifetime } && service == typeof(IPackageInstaller))
            {
                services[index] = ServiceDescriptor.Describe(
                    typeof(IPackageInstaller), provider => new DeferredPackageInstaller(() => (IPackageInstaller)provider.GetRequiredService(implementation)), lifetime);
                services.Add(ServiceDescriptor.Describe(implementation, implementation, lifetime));
            }
        }
    }
}
