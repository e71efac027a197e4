using System.Reflection;
using System.Text.RegularExpressions;
using Registry.Build.Host;
using Registry.Build.Settings;
using Registry.Build.Workspace;

namespace Registry.Build.Tests;

/// <summary>The README is what users read first; these keep it true to the code.</summary>
public sealed class ReadmeTests
{
    private static readonly string Readme = File.ReadAllText(SourceTree.Root.CombineWithFilePath("README.md").FullPath);

    [Fact]
    public void Shows_the_test_command()
    {
        Assert.Contains("./build.sh --target=Test", Readme);
    }

    [Fact]
    public void The_graph_drawn_is_the_task_graph_the_pipeline_runs()
    {
        var block = Regex.Match(Readme, "```mermaid\n(.*?)```", RegexOptions.Singleline).Groups[1].Value;
        var drawnEdges = Regex.Matches(block, @"(\w+) --> (\w+)").Select(match => (match.Groups[1].Value, match.Groups[2].Value)).ToHashSet();
        var drawnNodes = Regex.Matches(block, @"\b(\w+)\b").Select(match => match.Groups[1].Value).Except(["graph", "LR"]).ToHashSet();

        var tasks = typeof(Pipeline).Assembly.GetTypes()
            .Where(type => typeof(IFrostingTask).IsAssignableFrom(type) && !type.IsAbstract)
            .Select(type => (Name: TaskNames.Of(type), Dependencies: type.GetCustomAttributes<IsDependentOnAttribute>().Select(dependency => TaskNames.Of(dependency.Task))))
            .ToList();
        var edges = tasks.SelectMany(task => task.Dependencies.Select(dependency => (dependency, task.Name))).ToHashSet();

        Assert.Equal(edges.Order(), drawnEdges.Order());
        Assert.Equal(tasks.Select(task => task.Name).Order(), drawnNodes.Order());
    }

    [Fact]
    public void The_settings_table_has_every_setting_with_its_variable_and_default()
    {
        Assert.All(SettingDefinition.All, setting =>
        {
            var defaultCell = setting.DefaultText.Length > 0 ? $"`{setting.DefaultText}`" : string.Empty;
            Assert.Matches($@"\| `{setting.Name}` \| `{setting.EnvironmentVariable}` \| {Regex.Escape(defaultCell)} +\|", Readme);
        });
    }
}
