using System.Text;
using System.Text.Json.Nodes;
using Cake.Common.Diagnostics;
using Cake.Common.IO;
using Cake.Core;
using Registry.Build.Ci;
using Registry.Build.Host;
using Registry.Build.Kubernetes;
using Registry.Build.Manifests;
using Registry.Build.Settings;
using Registry.Build.State;

namespace Registry.Build.Tasks;

[TaskName("Render")]
[TaskDescription("Write every manifest to the artifacts folder without touching a cluster.")]
[IsDependentOn(typeof(ValidateTask))]
public sealed class RenderTask(ClusterConnector connector, RunDesiredState desired) : AsyncRegistryTask<BuildContext>
{
    public const string Redacted = "<redacted: render with --render-secrets=true to write it>";

    public override async Task RunAsync(BuildContext context)
    {
        var settings = context.Settings;
        var objects = (await desired.PreviewAsync(context, await ClusterIfAnyAsync(context))).Objects;

        var folder = settings.Artifacts.Combine("manifests");
        context.CleanDirectory(folder);
        var documents = new List<string>();
        var holdsSecrets = false;
        for (var index = 0; index < objects.Count; index++)
        {
            var desiredObject = ObjectApplier.Desired(objects[index].Object);
            var secret = desiredObject["kind"]!.GetValue<string>() == "Secret";
            if (secret && !settings.RenderSecrets)
            {
                Redact(desiredObject);
            }
            else if (secret)
            {
                MaskValues(context, desiredObject);
            }

            var yaml = JsonToYaml.Convert(desiredObject);
            var address = objects[index].Address;
            Write(folder.CombineWithFilePath($"{index + 1:00}-{address.Kind.ToLowerInvariant()}-{address.Name}.yaml").FullPath, yaml, secret && settings.RenderSecrets);
            holdsSecrets |= secret && settings.RenderSecrets;
            documents.Add(yaml);
        }

        Write(folder.CombineWithFilePath("all.yaml").FullPath, string.Join("---\n", documents), holdsSecrets);
        var done = $"Rendered {objects.Count} objects into {folder.FullPath} (one file each, and all.yaml){(settings.RenderSecrets ? "; Secret data is in clear, in files only their owner can read" : "; Secret data is redacted")}.";
        context.Information(done);
    }

    // Created owner-only from the start when it holds a secret: never readable by others, even for a moment.
    private static void Write(string path, string text, bool secret)
    {
        var options = new FileStreamOptions { Mode = FileMode.Create, Access = FileAccess.Write };
        if (secret && !OperatingSystem.IsWindows())
        {
            options.UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;
        }

        using (var stream = new FileStream(path, options))
        {
            stream.Write(Encoding.UTF8.GetBytes(text));
        }

        if (secret && !OperatingSystem.IsWindows())
        {
            // UnixCreateMode applies only to a new file; CleanDirectory removed the old ones, but be sure.
            File.SetUnixFileMode(path, UnixFileMode.UserRead | UnixFileMode.UserWrite);
        }
    }

    private static void Redact(JsonObject secret)
    {
        if (secret["data"] is JsonObject data)
        {
            foreach (var key in data.Select(entry => entry.Key).ToList())
            {
                data[key] = Redacted;
            }
        }
    }

    // In clear on disk, so masked in the CI log before anything could print them: encoded and decoded.
    private static void MaskValues(BuildContext context, JsonObject secret)
    {
        foreach (var (_, value) in secret["data"] as JsonObject ?? [])
        {
            if (value?.GetValue<string>() is { Length: > 0 } encoded)
            {
                CiLog.Mask(context, new Secret(encoded));
                foreach (var line in Encoding.UTF8.GetString(Convert.FromBase64String(encoded)).Split('\n'))
                {
                    CiLog.Mask(context, new Secret(line));
                }
            }
        }
    }

    // With a cluster, the Secrets keep what the cluster has, as Deploy would; without one, Render still works.
    private async Task<KubernetesApi?> ClusterIfAnyAsync(BuildContext context)
    {
        if (KubeconfigSource.Find(context.Settings, context.Environment, out _) is null)
        {
            context.Information("No kubeconfig: rendering without a cluster, so credentials are generated afresh.");
            return null;
        }

        try
        {
            return (await connector.ConnectAsync(context.Cancellation)).Api;
        }
        catch (CakeException exception)
        {
            context.Warning($"Rendering without the cluster ({exception.Message}); credentials are generated afresh.");
            return null;
        }
    }
}
