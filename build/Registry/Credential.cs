using Registry.Build.Settings;

namespace Registry.Build.Registry;

/// <summary>A registry user and their password; the password never leaves this record unmasked but through Reveal.</summary>
public sealed record Credential(string User, Secret Password);
