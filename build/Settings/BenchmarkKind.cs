namespace Registry.Build.Settings;

/// <summary>What the Benchmark target measures.</summary>
public enum BenchmarkKind
{
    /// <summary>The smoke test's push of a large layer against skopeo copy, to the registry at registry-url.</summary>
    Push,

    /// <summary>A Deploy with nothing to do against kubectl apply --server-side of the same objects, on an emulated API server.</summary>
    Converge,
}
