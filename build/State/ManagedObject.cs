using k8s;
using k8s.Models;
using Registry.Build.Kubernetes;

namespace Registry.Build.State;

/// <summary>One object the pipeline manages, the step (task) that applies it, and whether it holds data only purge-data removes.</summary>
public sealed record ManagedObject(Type Step, IKubernetesObject<V1ObjectMeta> Object, bool HoldsData)
{
    public ResourceAddress Address => ResourceAddress.Of(Object);
}
