namespace Registry.Build.Settings;

/// <summary>
/// A value that must never reach a log, an exception or an artifact. Formatting it gives a mask;
/// only <see cref="Reveal"/> gives the value, so every use of the plain text is explicit.
/// </summary>
public sealed class Secret(string value)
{
    public const string Mask = "********";

    public string Reveal() => value;

    public override string ToString() => Mask;
}
