using Cake.Core;

namespace Registry.Build.Host;

/// <summary>What the application adds to <c>--help</c> after the host's own options, such as its settings.</summary>
public interface IHelpSection
{
    void Write(IConsole console);
}
