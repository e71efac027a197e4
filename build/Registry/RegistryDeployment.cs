using Cake.Common.Diagnostics;
using Registry.Build.Kubernetes;

namespace Registry.Build.Registry;

/// <summary>The registry's objects for this run, worked out once (credentials are read from the cluster) and shared by its steps.</summary>
public sealed class RegistryDeployment(ClusterConnector connector, RegistryManifests manifests)
{
    private RegistryObjectSet? objects;
    private RegistryCredentials? credentials;

    public async Task<RegistryObjectSet> ObjectsAsync(BuildContext context) =>
        objects ??= manifests.Build(context.Settings, await CredentialsAsync(context));

    /// <summary>The credentials as the cluster has them (or newly made), masked in the CI log before anything else.</summary>
    public async Task<RegistryCredentials> CredentialsAsync(BuildContext context)
    {
        if (credentials is not null)
        {
            return credentials;
        }

        var api = (await connector.ConnectAsync(context.Cancellation)).Api;
        credentials = await RegistryCredentials.ResolveAsync(context.Settings, api, context.Cancellation);
        Ci.CiLog.Mask(context, credentials.HttpSecret);
        Ci.CiLog.Mask(context, credentials.GeneratedLogin?.Password);
        if (credentials.PasswordIsNew)
        {
            // Never the password itself: where to read it, for whoever may.
            var where = $"No password was given, so one was generated for user {context.Settings.User}. Read it with: " +
                $"kubectl -n {context.Settings.Namespace} get secret {RegistryCredentials.PasswordSecret} -o jsonpath='{{.data.password}}' | base64 -d";
            context.Information(where);
        }

        return credentials;
    }

    /// <summary>A user and password that log in: the one given, the first of users-file, or the one generated and kept in the cluster.</summary>
    public async Task<Credential> LoginAsync(BuildContext context)
    {
        var settings = context.Settings;
        if (settings.Users is [var first, ..])
        {
            return first;
        }

        if (settings.Password is { } password)
        {
            return new Credential(settings.User, password);
        }

        return (await CredentialsAsync(context)).GeneratedLogin!;
    }
}
