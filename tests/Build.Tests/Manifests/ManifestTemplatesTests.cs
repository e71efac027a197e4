using Cake.Core;
using k8s.Models;
using Registry.Build.Manifests;
using Registry.Build.Settings;
using Registry.Build.Tests.Fixtures;

namespace Registry.Build.Tests.Manifests;

public sealed class ManifestTemplatesTests : IDisposable
{
    private readonly TemporaryDirectory directory = new();

    public void Dispose() => directory.Dispose();

    [Fact]
    public void Placeholders_are_filled_and_yaml_types_are_kept()
    {
        directory.Write("service.yaml", "apiVersion: v1\nkind: Service\nmetadata:\n  name: \"{{ name }}\"\nspec:\n  ports:\n    - port: {{ port }}\n      name: \"{{ port }}\"\n");

        var service = Templates().Load<V1Service>("service.yaml", new Dictionary<string, string> { ["name"] = "registry", ["port"] = "5000" });

        Assert.Equal("registry", service.Metadata.Name);
        Assert.Equal(5000, service.Spec.Ports[0].Port);
        Assert.Equal("5000", service.Spec.Ports[0].Name);
    }

    [Fact]
    public void A_placeholder_without_a_value_names_the_file_and_every_missing_name()
    {
        directory.Write("service.yaml", "apiVersion: v1\nkind: Service\nmetadata:\n  name: \"{{ name }}\"\n  namespace: \"{{ namespace }}\"\n");

        var error = Assert.Throws<CakeException>(() => Templates().Load<V1Service>("service.yaml", new Dictionary<string, string>()));

        Assert.Equal("k8s/service.yaml: no value for {{ name }}, {{ namespace }}.", error.Message);
    }

    [Fact]
    public void Malformed_yaml_names_the_file_and_the_line()
    {
        directory.Write("service.yaml", "apiVersion: v1\nkind: Service\nmetadata:\n  name: [broken\n");

        var error = Assert.Throws<CakeException>(() => Templates().Load<V1Service>("service.yaml", new Dictionary<string, string>()));

        Assert.StartsWith("k8s/service.yaml: is not valid YAML at line", error.Message);
    }

    [Fact]
    public void A_file_holding_another_kind_is_refused()
    {
        directory.Write("service.yaml", "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: x\n");

        var error = Assert.Throws<CakeException>(() => Templates().Load<V1Service>("service.yaml", new Dictionary<string, string>()));

        Assert.Equal("k8s/service.yaml: is a ConfigMap named 'x'; expected a Service with a metadata.name.", error.Message);
    }

    [Fact]
    public void Every_template_in_k8s_loads_with_the_values_the_pipeline_gives()
    {
        var values = new Dictionary<string, string>(ManifestValues.From(new RegistrySettings { Host = "registry.example.com", AcmeEmail = "ops@example.com", Tls = TlsMode.Letsencrypt }))
        {
            ["htpasswd-base64"] = "YQ==", ["http-secret-base64"] = "YQ==", ["user-base64"] = "YQ==", ["password-base64"] = "YQ==",
            ["rollout-strategy"] = "Recreate", ["config-checksum"] = "abc",
        };
        var templates = ManifestTemplates.InSourceTree();
        var files = Directory.GetFiles(Workspace.SourceTree.Root.Combine("k8s").FullPath, "*.yaml").Select(Path.GetFileName).ToList();

        Assert.All(files, file =>
        {
            var kind = YamlToJson.Documents(File.ReadAllText(Path.Combine(Workspace.SourceTree.Root.Combine("k8s").FullPath, file!)).Replace("{{", "x").Replace("}}", "x"))[0]["kind"]!.GetValue<string>();
            Assert.False(string.IsNullOrEmpty(kind));
        });
        Assert.Equal("registry.example.com", templates.Load<V1Ingress>("docker-registry-ingress.yaml", values).Spec.Rules[0].Host);
        Assert.Equal(1, templates.Load<V1Deployment>("docker-registry.yaml", values).Spec.Replicas);
    }

    private ManifestTemplates Templates() => new(directory.Path);
}
