namespace Registry.Build.Tools.Helm;

/// <summary>The helm the Helm step chose, for the steps after it that install charts.</summary>
public sealed class HelmInstallation
{
    public HelmClient? Client { get; set; }
}
