using System.Security.Cryptography;
using System.Text;
using k8s.Models;
using Registry.Build.Manifests;
using Registry.Build.Settings;

namespace Registry.Build.Registry;

/// <summary>Fills the registry's k8s/ templates with the settings and the credentials.</summary>
public sealed class RegistryManifests(ManifestTemplates templates)
{
    public RegistryObjectSet Build(RegistrySettings settings, RegistryCredentials credentials)
    {
        var values = new Dictionary<string, string>(ManifestValues.From(settings))
        {
            ["htpasswd-base64"] = Base64(credentials.Htpasswd),
            ["http-secret-base64"] = Base64(credentials.HttpSecret.Reveal()),
            // Several replicas on one ReadWriteOnce volume cannot run side by side, so a rollout replaces them.
            ["rollout-strategy"] = settings.StorageAccessMode == "ReadWriteMany" ? "RollingUpdate" : "Recreate",
        };
        var config = templates.Load<V1ConfigMap>("config.yaml", values);
        if (settings.RegistryConfig is { } extra)
        {
            var merged = YamlToJson.Documents(config.Data["config.yml"]).Single().AsObject();
            MergeInto(merged, extra);
            config.Data["config.yml"] = JsonToYaml.Convert(merged);
        }

        values["config-checksum"] = Checksum(config.Data["config.yml"], credentials.Htpasswd, credentials.HttpSecret.Reveal());

        var secrets = new List<V1Secret>
        {
            templates.Load<V1Secret>("docker-registry-htpasswd.yaml", values),
            templates.Load<V1Secret>("docker-registry-http-secret.yaml", values),
        };
        if (credentials.GeneratedLogin is { } login)
        {
            values["user-base64"] = Base64(login.User);
            values["password-base64"] = Base64(login.Password.Reveal());
            secrets.Add(templates.Load<V1Secret>("docker-registry-password.yaml", values));
        }

        var storage = templates.Load<V1PersistentVolumeClaim>("docker-registry-data.yaml", values);
        storage.Spec.StorageClassName = settings.StorageClass;
        return new RegistryObjectSet(
            secrets,
            config,
            storage,
            templates.Load<V1Deployment>("docker-registry.yaml", values),
            templates.Load<V1Service>("docker-registry-service.yaml", values),
            templates.Load<V1Ingress>("docker-registry-ingress.yaml", values));
    }

    private static void MergeInto(System.Text.Json.Nodes.JsonObject target, System.Text.Json.Nodes.JsonObject extra)
    {
        foreach (var (key, value) in extra)
        {
            if (value is System.Text.Json.Nodes.JsonObject section && target[key] is System.Text.Json.Nodes.JsonObject existing)
            {
                MergeInto(existing, section);
            }
            else
            {
                target[key] = value?.DeepClone();
            }
        }
    }

    private static string Base64(string text) => Convert.ToBase64String(Encoding.UTF8.GetBytes(text));

    // Of everything the pods read at start: a change to any of it must restart them, a change to nothing must not.
    private static string Checksum(params string[] parts) =>
        Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(string.Join('\0', parts))))[..16];
}
