using Cake.Core;
using Cake.Core.IO;

namespace Registry.Build.Tests.Fixtures;

/// <summary>The machine's Cake environment, but with the variables and working directory a test chooses.</summary>
public sealed class TestEnvironment(IReadOnlyDictionary<string, string> variables, DirectoryPath workingDirectory) : ICakeEnvironment
{
    private readonly CakeEnvironment machine = new(new CakePlatform(), new CakeRuntime());

    public DirectoryPath WorkingDirectory { get; set; } = workingDirectory;

    public DirectoryPath ApplicationRoot => machine.ApplicationRoot;

    public ICakePlatform Platform => machine.Platform;

    public ICakeRuntime Runtime => machine.Runtime;

    public DirectoryPath GetSpecialPath(SpecialPath path) => machine.GetSpecialPath(path);

    public string? GetEnvironmentVariable(string variable) => variables.GetValueOrDefault(variable) ?? PathOnly(variable);

    public IDictionary<string, string> GetEnvironmentVariables()
    {
        var all = new Dictionary<string, string>(variables);
        all.TryAdd("PATH", Environment.GetEnvironmentVariable("PATH") ?? string.Empty);
        return all;
    }

    // Tools are still found on the machine's PATH; nothing else of the real environment leaks into a test.
    private static string? PathOnly(string variable) =>
        variable == "PATH" ? Environment.GetEnvironmentVariable("PATH") : null;
}
