namespace Registry.Build.Tests.Fixtures.Kubernetes;

/// <summary>What the emulated API server does instead of answering a matching request.</summary>
public abstract record Fault
{
    /// <summary>Answers with this status and a Kubernetes Status body carrying the message.</summary>
    public sealed record Answer(int StatusCode, string Message, TimeSpan? RetryAfter = null) : Fault;

    /// <summary>Waits before handling the request normally.</summary>
    public sealed record Delay(TimeSpan Time) : Fault;

    /// <summary>Closes the connection without an answer.</summary>
    public sealed record DropConnection : Fault;
}

/// <summary>A fault for the next <see cref="Times"/> requests that match.</summary>
public sealed class FaultRule(Func<RecordedRequest, bool> matches, Fault fault, int times)
{
    private int remaining = times;

    public Fault Fault => fault;

    public bool TryTake(RecordedRequest request) =>
        matches(request) && Interlocked.Decrement(ref remaining) >= 0;
}
