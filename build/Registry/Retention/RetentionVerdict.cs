namespace Registry.Build.Registry.Retention;

/// <summary>Whether a tag stays, and the rule that decided it, in words for the log.</summary>
public sealed record RetentionVerdict(TaggedImage Image, bool Keep, string Reason);
