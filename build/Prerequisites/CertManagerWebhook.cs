using System.Text.Json.Nodes;
using Cake.Core;
using Cake.Core.Diagnostics;
using Registry.Build.Kubernetes;
using Registry.Build.Settings;

namespace Registry.Build.Prerequisites;

/// <summary>
/// Right after cert-manager is installed, creating its objects fails with "failed calling webhook" until the
/// webhook answers. A server-side dry-run create of an Issuer goes through that webhook, so when it succeeds
/// the next step's real create will too.
/// </summary>
public static class CertManagerWebhook
{
    private static readonly ResourceAddress Issuers = new("cert-manager.io", "v1", "issuers", "Issuer", "cert-manager", string.Empty);

    public static async Task WaitUntilAnsweringAsync(KubernetesApi api, ICakeLog log, RegistrySettings settings, TimeSpan poll, CancellationToken cancellationToken)
    {
        var probe = new JsonObject
        {
            ["apiVersion"] = "cert-manager.io/v1",
            ["kind"] = "Issuer",
            ["metadata"] = new JsonObject { ["name"] = "registry-pipeline-webhook-check", ["namespace"] = "cert-manager" },
            ["spec"] = new JsonObject { ["selfSigned"] = new JsonObject() },
        };
        var started = DateTimeOffset.UtcNow;
        string? last = null;
        while (true)
        {
            try
            {
                await api.CreateAsync(Issuers, probe, dryRun: true, cancellationToken);
                log.Information("cert-manager's webhook answers: a dry-run Issuer was accepted.");
                return;
            }
            catch (KubernetesApiException exception) when ((int)exception.Status >= 500 || exception.ServerMessage.Contains("webhook", StringComparison.OrdinalIgnoreCase))
            {
                if (exception.ServerMessage != last)
                {
                    log.Information($"cert-manager's webhook does not answer yet: {exception.ServerMessage}");
                    last = exception.ServerMessage;
                }
            }
            catch (HttpRequestException exception)
            {
                last = exception.Message;
            }

            if (DateTimeOffset.UtcNow - started >= settings.WaitTimeout)
            {
                throw new CakeException(
                    $"cert-manager's webhook did not answer within {Duration.Format(settings.WaitTimeout)} (wait-timeout); last: {last}. " +
                    "Check the cert-manager-webhook pods in namespace cert-manager.");
            }

            await Task.Delay(poll, cancellationToken);
        }
    }
}
