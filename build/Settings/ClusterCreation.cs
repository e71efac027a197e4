namespace Registry.Build.Settings;

/// <summary>Whether the pipeline creates the local cluster it deploys to.</summary>
public enum ClusterCreation
{
    /// <summary>Use the cluster the kubeconfig points at; never create one.</summary>
    None,

    /// <summary>A kind cluster named <c>registry</c> with ports 80 and 443 published on this machine, created when missing.</summary>
    Kind,
}
