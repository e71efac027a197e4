namespace Registry.Build.Tasks;

/// <summary>The step changes the cluster, so a run that includes it holds the run lock (two runs must not interleave).</summary>
[AttributeUsage(AttributeTargets.Class)]
public sealed class WritesToClusterAttribute : Attribute;
