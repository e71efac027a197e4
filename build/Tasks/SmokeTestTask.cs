using System.Security.Cryptography.X509Certificates;
using Cake.Common.Diagnostics;
using Cake.Core;
using Registry.Build.Host;
using Registry.Build.Registry;
using Registry.Build.Registry.Oci;
using Registry.Build.Settings;
using Registry.Build.Tls;
using Registry.Build.Tools.Docker;

namespace Registry.Build.Tasks;

[TaskName("SmokeTest")]
[TaskDescription("Push and pull a test image over the registry API (guide step 12).")]
[IsDependentOn(typeof(RolloutTask))]
public sealed class SmokeTestTask(RegistryDeployment registry, DockerRunner docker) : AsyncFrostingTask<BuildContext>
{
    public override bool ShouldRun(BuildContext context) =>
        context.Settings.SmokeTest || Skip("smoke-test is false");

    public override async Task RunAsync(BuildContext context)
    {
        var settings = context.Settings;
        var url = settings.RegistryAddress!;
        if (settings.RegistryUrl is not null && settings.Password is null && settings.Users is null)
        {
            throw new CakeException($"SmokeTest against {url} needs user {settings.User}'s password: set $REGISTRY_PASSWORD or --password-file.");
        }

        if (settings.InsecureSkipTlsVerify)
        {
            context.Warning($"insecure-skip-tls-verify is true: the certificate of {url} is not checked.");
        }

        var login = await registry.LoginAsync(context);
        long? layerSize = settings.SmokeLayerSize is { } text && ByteSize.TryParse(text, out var bytes) ? bytes : null;
        await new SmokeTest(context.Log).RunAsync(url, login, new RegistryTrust(PrivateCaOf(settings), settings.InsecureSkipTlsVerify), layerSize, context.Cancellation);
        if (settings.SmokeDocker)
        {
            DockerPush(context, url.Authority, login);
        }
    }

    // The guide's own check, for runners with a Docker engine: the daemon must trust the registry's CA itself.
    private void DockerPush(BuildContext context, string registryHost, Credential login)
    {
        if (!docker.IsInstalled)
        {
            throw new CakeException("smoke-docker is true, but docker is not on PATH. Install Docker, or set smoke-docker=false (the API smoke test above needs no Docker).");
        }

        var image = context.Settings.SmokeDockerImage;
        var target = $"{registryHost}/smoke/{image.Split('/')[^1].Split(':')[0]}:registry-pipeline";
        docker.Login(registryHost, login);
        docker.Pull(image);
        docker.Tag(image, target);
        docker.Push(target);
        var pushed = $"docker pushed {image} as {target}, as the guide does.";
        context.Information(pushed);
    }

    // With tls=selfsigned the registry's certificate is signed by the private CA the Issuer step exported.
    private static X509Certificate2? PrivateCaOf(RegistrySettings settings)
    {
        var path = PrivateCa.ExportPath(settings).FullPath;
        return settings.Tls == TlsMode.Selfsigned && File.Exists(path) ? X509Certificate2.CreateFromPem(File.ReadAllText(path)) : null;
    }
}
