using Registry.Build.Inventory;

namespace Registry.Build.Tests.Inventory;

public sealed class ApplySetTests
{
    [Fact]
    public void The_id_follows_kubectls_rule_so_kubectl_finds_the_same_set()
    {
        // The vector from kubectl's own applyset tests: a Secret parent "my-set" in namespace "test".
        Assert.Equal("applyset-0eFHV8ySqp7XoShsGvyWFQD3s96yqwHmzc4e0HR1dsY-v1", ApplySet.IdOf("my-set", "test", "Secret", string.Empty));
        Assert.Equal(ApplySet.IdOf(ApplySet.ParentName, "docker-registry", "ConfigMap", string.Empty), new ApplySet("docker-registry").Id);
    }

    [Fact]
    public void The_parent_names_its_member_kinds_as_kubectl_writes_them()
    {
        var parent = new ApplySet("docker-registry").Parent(["Deployment.apps", "Secret", "Issuer.cert-manager.io", "Secret"], ["docker-registry"]);

        Assert.Equal("Deployment.apps,Issuer.cert-manager.io,Secret", parent.Metadata.Annotations[ApplySet.GroupKindsAnnotation]);
        Assert.False(parent.Metadata.Annotations.ContainsKey(ApplySet.AdditionalNamespacesAnnotation));
        Assert.Equal("registry-pipeline/v1", parent.Metadata.Annotations[ApplySet.ToolingAnnotation]);
        Assert.Equal(new ApplySet("docker-registry").Id, parent.Metadata.Labels[ApplySet.IdLabel]);
    }

    [Fact]
    public void The_parent_names_the_namespaces_besides_its_own_that_hold_members()
    {
        var parent = new ApplySet("docker-registry").Parent(["ConfigMap", "Secret"], ["kube-public", "docker-registry", "apps", "kube-public"]);

        Assert.Equal("apps,kube-public", parent.Metadata.Annotations[ApplySet.AdditionalNamespacesAnnotation]);
    }
}
