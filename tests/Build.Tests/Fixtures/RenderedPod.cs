using System.Text;
using k8s.Models;
using Registry.Build.Manifests;
using Registry.Build.Registry;
using Registry.Build.Settings;
using Registry.Build.State;
using Registry.Build.Tasks;

namespace Registry.Build.Tests.Fixtures;

/// <summary>
/// What the registry's pod gets from the pipeline's declaration for some settings: its config.yml, its htpasswd, and
/// its environment with every secretKeyRef resolved from the declared Secrets, as the kubelet would.
/// </summary>
public sealed record RenderedPod(string ConfigYml, string Htpasswd, IReadOnlyDictionary<string, string> Environment)
{
    public static async Task<RenderedPod> OfAsync(RegistrySettings settings)
    {
        var credentials = await RegistryCredentials.ResolveAsync(settings, null, CancellationToken.None);
        var state = new Declaration(ManifestTemplates.InSourceTree()).Build(settings, credentials, ownsNamespace: true);
        var secrets = state.Objects.Select(item => item.Object).OfType<V1Secret>().ToDictionary(secret => secret.Metadata.Name);
        var config = state.Of<RegistryConfigTask>().OfType<V1ConfigMap>().Single().Data["config.yml"];
        var container = state.Of<WorkloadTask>().OfType<V1Deployment>().Single().Spec.Template.Spec.Containers.Single();
        var environment = container.Env.ToDictionary(
            variable => variable.Name,
            variable => variable.Value ?? Encoding.UTF8.GetString(secrets[variable.ValueFrom.SecretKeyRef.Name].Data[variable.ValueFrom.SecretKeyRef.Key]));
        var htpasswd = Encoding.UTF8.GetString(secrets[RegistryCredentials.HtpasswdSecret].Data["htpasswd"]);
        return new RenderedPod(config, htpasswd, environment);
    }

    /// <summary>The real registry booted as this pod would be; <paramref name="overrides"/> change its environment (another http.secret).</summary>
    public Task<RealRegistry> StartAsync(IReadOnlyDictionary<string, string>? overrides = null, string? dataDirectory = null)
    {
        var environment = new Dictionary<string, string>(Environment);
        foreach (var (name, value) in overrides ?? new Dictionary<string, string>())
        {
            environment[name] = value;
        }

        return RealRegistry.StartAsync(ConfigYml, Htpasswd, environment["REGISTRY_HTTP_SECRET"], environment: environment, dataDirectory: dataDirectory);
    }
}
