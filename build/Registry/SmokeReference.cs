namespace Registry.Build.Registry;

/// <summary>The smoke image a run pushed: its repository and the digest of its image index.</summary>
/// <param name="Runnable">
/// Its layer is a real tar a container runtime can unpack; the random layer of smoke-layer-size is not, so no node can pull that one.
/// </param>
public sealed record SmokeReference(string Repository, string Digest, bool Runnable)
{
    /// <summary>How a pod names it on <paramref name="host"/>: by digest, so the node pulls exactly what was pushed.</summary>
    public string On(string host) => $"{host}/{Repository}@{Digest}";
}
