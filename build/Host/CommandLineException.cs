namespace Registry.Build.Host;

/// <summary>The command line itself is malformed; the run stops with exit code 2 before anything else.</summary>
public sealed class CommandLineException(string message) : Exception(message);
