using Registry.Build.Kubernetes;
using Registry.Build.Registry;
using Registry.Build.Settings;

namespace Registry.Build.State;

/// <summary>
/// While a Deploy waits on the API server (its version, the checks, the lock), another core runs the code that
/// building and comparing the desired state needs once, on sample credentials: the templates, the typed models'
/// JSON metadata, the comparison. Compiling that is most of what the steps would otherwise do first on the main
/// thread. What it builds is thrown away; nothing is logged or sent.
/// </summary>
public static class WarmUp
{
    public static Task Start(Declaration declaration, RegistrySettings settings) => Task.Run(() =>
    {
        try
        {
            var sample = new RegistryCredentials($"{settings.User}:$2y$10$abcdefghijklmnopqrstuuJz0g5P1Z1sv4nHgkU7Oy3hD3j3mJBi6", new Secret("sample"), null, null, false, true);
            foreach (var item in declaration.Build(settings, sample, ownsNamespace: true).Objects)
            {
                var desired = ObjectApplier.Desired(item.Object);
                ManifestComparison.Differences(desired, desired);
            }
        }
        catch (Exception)
        {
            // Only a head start: the step that builds the state reports what is wrong with it.
        }
    });
}
