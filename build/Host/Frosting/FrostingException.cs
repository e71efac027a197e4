namespace Cake.Frosting;

/// <summary>The host cannot run as configured: a dependency that is not a task, a missing working directory, a tool with no installer.</summary>
public sealed class FrostingException : Exception
{
    public FrostingException(string message)
        : base(message)
    {
    }

    public FrostingException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
