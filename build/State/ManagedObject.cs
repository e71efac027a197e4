using k8s;
using k8s.Models;
using Registry.Build.Kubernetes;

namespace Registry.Build.State;

/// <summary>One object the pipeline manages and the step (task) that applies it.</summary>
public sealed record ManagedObject(Type Step, IKubernetesObject<V1ObjectMeta> Object)
{
    public ResourceAddress Address => ResourceAddress.Of(Object);
}
