using System.Text;
using System.Text.Json.Nodes;
using k8s;
using k8s.Models;
using Registry.Build.Kubernetes.CertManager;

namespace Registry.Build.Tests.Kubernetes;

/// <summary>The kind of object set a registry deployment applies, with the knobs the tests turn.</summary>
public static class RegistryObjects
{
    public const string Namespace = "docker-registry";

    public static IReadOnlyList<IKubernetesObject<V1ObjectMeta>> All(int replicas = 1, string storage = "10Gi", string logLevel = "info") =>
    [
        new V1Namespace { Metadata = new V1ObjectMeta { Name = Namespace, Labels = Labels() } },
        new V1Secret
        {
            Metadata = Meta("docker-registry-htpasswd"),
            Type = "Opaque",
            Data = new Dictionary<string, byte[]> { ["htpasswd"] = Encoding.UTF8.GetBytes("admin:$2y$10$abcdefghijklmnopqrstuv") },
        },
        ConfigMap(logLevel),
        new V1PersistentVolumeClaim
        {
            Metadata = Meta("docker-registry-data"),
            Spec = new V1PersistentVolumeClaimSpec
            {
                AccessModes = ["ReadWriteOnce"],
                Resources = new V1VolumeResourceRequirements { Requests = new Dictionary<string, ResourceQuantity> { ["storage"] = new(storage) } },
            },
        },
        Deployment(replicas),
        new V1Service
        {
            Metadata = Meta("docker-registry"),
            Spec = new V1ServiceSpec
            {
                Type = "ClusterIP",
                Selector = Labels(),
                Ports = [new V1ServicePort { Name = "registry", Port = 5000, TargetPort = 5000 }],
            },
        },
        new V1Ingress
        {
            Metadata = Meta("docker-registry", new Dictionary<string, string> { ["nginx.ingress.kubernetes.io/proxy-body-size"] = "0" }),
            Spec = new V1IngressSpec
            {
                IngressClassName = "nginx",
                Tls = [new V1IngressTLS { Hosts = ["registry.example.com"], SecretName = "docker-registry-tls-certificate" }],
                Rules =
                [
                    new V1IngressRule
                    {
                        Host = "registry.example.com",
                        Http = new V1HTTPIngressRuleValue
                        {
                            Paths =
                            [
                                new V1HTTPIngressPath
                                {
                                    Path = "/",
                                    PathType = "Prefix",
                                    Backend = new V1IngressBackend { Service = new V1IngressServiceBackend { Name = "docker-registry", Port = new V1ServiceBackendPort { Number = 5000 } } },
                                },
                            ],
                        },
                    },
                ],
            },
        },
        new Certificate
        {
            Metadata = Meta("docker-registry-tls-certificate"),
            Spec = new JsonObject
            {
                ["secretName"] = "docker-registry-tls-certificate",
                ["dnsNames"] = new JsonArray("registry.example.com"),
                ["issuerRef"] = new JsonObject { ["name"] = "letsencrypt", ["kind"] = "Issuer" },
            },
        },
    ];

    public static V1ConfigMap ConfigMap(string logLevel = "info", IDictionary<string, string>? extra = null)
    {
        var data = new Dictionary<string, string> { ["config.yml"] = $"version: 0.1\nlog:\n  level: {logLevel}\n" };
        foreach (var (key, value) in extra ?? new Dictionary<string, string>())
        {
            data[key] = value;
        }

        return new V1ConfigMap { Metadata = Meta("docker-registry-config"), Data = data };
    }

    public static V1Deployment Deployment(int replicas = 1) => new()
    {
        Metadata = Meta("docker-registry"),
        Spec = new V1DeploymentSpec
        {
            Replicas = replicas,
            Selector = new V1LabelSelector { MatchLabels = Labels() },
            Strategy = new V1DeploymentStrategy { Type = "Recreate" },
            Template = new V1PodTemplateSpec
            {
                Metadata = new V1ObjectMeta { Labels = Labels() },
                Spec = new V1PodSpec
                {
                    Containers =
                    [
                        new V1Container
                        {
                            Name = "registry",
                            Image = "registry:3.0.0",
                            Args = ["/etc/distribution/config.yml"],
                            Ports = [new V1ContainerPort { Name = "http", ContainerPort = 5000 }],
                            Resources = new V1ResourceRequirements
                            {
                                Requests = new Dictionary<string, ResourceQuantity> { ["cpu"] = new("100m"), ["memory"] = new("128Mi") },
                            },
                        },
                    ],
                },
            },
        },
    };

    private static V1ObjectMeta Meta(string name, IDictionary<string, string>? annotations = null) => new()
    {
        Name = name,
        NamespaceProperty = Namespace,
        Labels = Labels(),
        Annotations = annotations,
    };

    private static Dictionary<string, string> Labels() => new() { ["app.kubernetes.io/name"] = "docker-registry" };
}
