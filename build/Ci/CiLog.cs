using Cake.Common.Build;
using Cake.Common.Build.GitHubActions.Data;
using Cake.Core;
using Cake.Core.IO;
using Registry.Build.Settings;

namespace Registry.Build.Ci;

/// <summary>
/// What a CI log viewer understands, through Cake.Common's build-system detection: collapsible groups, masked
/// secrets, error annotations and a summary page, on GitHub Actions and Azure Pipelines; nothing elsewhere.
/// </summary>
public static class CiLog
{
    /// <summary>Registers a secret with the CI so the log hides it; call it before anything could print it.</summary>
    public static void Mask(ICakeContext context, Secret? secret)
    {
        if (secret is null || secret.Reveal().Length == 0)
        {
            return;
        }

        // A log command ends at a line break: a secret of several lines (a GCS key file) is masked line by line, each
        // line that could give something away (a bare brace would only mask every brace of the log).
        var lines = secret.Reveal().Split('\n');
        var parts = lines.Length == 1 ? lines : lines.Select(line => line.Trim()).Where(line => line.Length >= 8).Distinct().ToArray();
        var system = context.BuildSystem();
        foreach (var part in parts)
        {
            if (system.IsRunningOnGitHubActions)
            {
                context.GitHubActions().Commands.SetSecret(part);
            }
            else if (system.IsRunningOnAzurePipelines)
            {
                context.AzurePipelines().Commands.SetSecretVariable("REGISTRY_PIPELINE_SECRET_" + Guid.NewGuid().ToString("N")[..8], part);
            }
        }
    }

    public static void BeginGroup(ICakeContext context, string name)
    {
        var system = context.BuildSystem();
        if (system.IsRunningOnGitHubActions)
        {
            context.GitHubActions().Commands.StartGroup(name);
        }
        else if (system.IsRunningOnAzurePipelines)
        {
            context.AzurePipelines().Commands.BeginGroup(name);
        }
    }

    public static void EndGroup(ICakeContext context)
    {
        var system = context.BuildSystem();
        if (system.IsRunningOnGitHubActions)
        {
            context.GitHubActions().Commands.EndGroup();
        }
        else if (system.IsRunningOnAzurePipelines)
        {
            context.AzurePipelines().Commands.EndGroup();
        }
    }

    public static void Error(ICakeContext context, string task, string message)
    {
        var system = context.BuildSystem();
        if (system.IsRunningOnGitHubActions)
        {
            context.GitHubActions().Commands.Error(message, new GitHubActionsAnnotation { Title = $"{task} failed" });
        }
        else if (system.IsRunningOnAzurePipelines)
        {
            context.AzurePipelines().Commands.WriteError($"{task} failed: {message}");
        }
    }

    /// <summary>The run's summary page: markdown on GitHub Actions, an uploaded summary on Azure Pipelines.</summary>
    public static void Summary(ICakeContext context, string markdown, DirectoryPath artifacts)
    {
        var system = context.BuildSystem();
        if (system.IsRunningOnGitHubActions)
        {
            context.GitHubActions().Commands.SetStepSummary(markdown);
        }
        else if (system.IsRunningOnAzurePipelines)
        {
            Directory.CreateDirectory(artifacts.FullPath);
            var file = artifacts.CombineWithFilePath("summary.md");
            File.WriteAllText(file.FullPath, markdown);
            context.AzurePipelines().Commands.UploadTaskSummary(file);
        }
    }
}
