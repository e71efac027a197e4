using System.Text.Json.Nodes;
using Cake.Common.Diagnostics;
using Cake.Common.IO;
using Cake.Core;
using Registry.Build.Host;
using Registry.Build.Kubernetes;
using Registry.Build.Manifests;
using Registry.Build.Registry;

namespace Registry.Build.Tasks;

[TaskName("Render")]
[TaskDescription("Write every manifest to the artifacts folder without touching a cluster.")]
[IsDependentOn(typeof(ValidateTask))]
public sealed class RenderTask(ClusterConnector connector, DeploymentManifests manifests)
    : AsyncFrostingTask<BuildContext>
{
    public const string Redacted = "<redacted: render with --render-secrets=true to write it>";

    public override async Task RunAsync(BuildContext context)
    {
        var settings = context.Settings;
        var api = await ClusterIfAnyAsync(context);
        var credentials = await RegistryCredentials.ResolveAsync(settings, api, context.Cancellation);
        var objects = manifests.Build(settings, credentials).SelectMany(step => step.Objects).ToList();

        var folder = settings.Artifacts.Combine("manifests");
        context.CleanDirectory(folder);
        var documents = new List<string>();
        for (var index = 0; index < objects.Count; index++)
        {
            var desired = ObjectApplier.Desired(objects[index]);
            if (desired["kind"]!.GetValue<string>() == "Secret" && !settings.RenderSecrets)
            {
                Redact(desired);
            }

            var yaml = JsonToYaml.Convert(desired);
            var address = ResourceAddress.Of(objects[index]);
            File.WriteAllText(folder.CombineWithFilePath($"{index + 1:00}-{address.Kind.ToLowerInvariant()}-{address.Name}.yaml").FullPath, yaml);
            documents.Add(yaml);
        }

        File.WriteAllText(folder.CombineWithFilePath("all.yaml").FullPath, string.Join("---\n", documents));
        var done = $"Rendered {objects.Count} objects into {folder.FullPath} (one file each, and all.yaml){(settings.RenderSecrets ? "; Secret data is in clear" : "; Secret data is redacted")}.";
        context.Information(done);
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
