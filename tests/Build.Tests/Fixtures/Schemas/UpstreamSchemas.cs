using System.Diagnostics;
using System.Text.Json.Nodes;
using Registry.Build.Testing;
using Registry.Build.Workspace;

namespace Registry.Build.Tests.Fixtures.Schemas;

/// <summary>The upstream OpenAPI schemas (npm kubernetes-models, @kubernetes-models/cert-manager and /gateway-api, installed by the Test target), run by node.</summary>
public static class UpstreamSchemas
{
    public static async Task<(int ExitCode, string Output)> ValidateAsync(IEnumerable<JsonNode> objects)
    {
        var models = NpmPackages.Prefix.Combine("node_modules/kubernetes-models").FullPath;
        Assert.True(Directory.Exists(models), $"{models} is missing: ./build.sh --target=Test installs it.");

        // ES modules resolve packages from the script's own folder, so the script runs from beside node_modules.
        var script = NpmPackages.Prefix.CombineWithFilePath("validate-manifests.mjs").FullPath;
        File.Copy(SourceTree.Root.CombineWithFilePath("tests/Build.Tests/Fixtures/Schemas/validate.mjs").FullPath, script, overwrite: true);
        using var node = Process.Start(new ProcessStartInfo("node", [script]) { RedirectStandardInput = true, RedirectStandardOutput = true, RedirectStandardError = true })!;
        await node.StandardInput.WriteAsync(new JsonArray(objects.Select(item => item.DeepClone()).ToArray()).ToJsonString());
        node.StandardInput.Close();
        var output = await node.StandardOutput.ReadToEndAsync() + await node.StandardError.ReadToEndAsync();
        await node.WaitForExitAsync();
        return (node.ExitCode, output);
    }
}
