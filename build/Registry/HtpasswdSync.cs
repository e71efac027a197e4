using System.Net;
using Cake.Core;
using Cake.Core.Diagnostics;
using Registry.Build.Registry.Oci;

namespace Registry.Build.Registry;

/// <summary>
/// A new htpasswd reaches a running registry without a restart, but not at once: the kubelet updates a mounted
/// Secret on its next sync of the pod (about a minute, plus its cache), and the registry reads the file again on the
/// next login after that. This waits for it, saying why.
/// </summary>
public sealed class HtpasswdSync(ICakeLog log, TimeSpan pollInterval)
{
    /// <returns>How long it took.</returns>
    public async Task<TimeSpan> WaitUntilAcceptedAsync(RegistryClient client, string user, TimeSpan timeout, CancellationToken cancellationToken)
    {
        var started = DateTimeOffset.UtcNow;
        var said = false;
        while (true)
        {
            var (status, _) = await client.PingAsync(authenticate: true, cancellationToken);
            if (status == HttpStatusCode.OK)
            {
                return DateTimeOffset.UtcNow - started;
            }

            if (status != HttpStatusCode.Unauthorized)
            {
                throw new CakeException($"The registry answered {(int)status} {status} to user {user}'s login; expected 200 once it reads the new htpasswd.");
            }

            if (!said)
            {
                log.Information($"The registry does not take user {user}'s new password yet: the kubelet updates the mounted htpasswd on its next sync (within about a minute), and the registry reads it then. Waiting.");
                said = true;
            }

            if (DateTimeOffset.UtcNow - started > timeout)
            {
                throw new CakeException(
                    $"The registry did not take user {user}'s new password within wait-timeout ({Settings.Duration.Format(timeout)}): the pods may mount the htpasswd with subPath " +
                    "(which never updates), or the password given is not the one in the htpasswd Secret.");
            }

            await Task.Delay(pollInterval, cancellationToken);
        }
    }

    /// <summary>Waits until the old password gets 401 (from every replica the requests reach).</summary>
    public async Task WaitUntilRefusedAsync(RegistryClient client, string user, TimeSpan timeout, CancellationToken cancellationToken)
    {
        var started = DateTimeOffset.UtcNow;
        while (true)
        {
            var (status, _) = await client.PingAsync(authenticate: true, cancellationToken);
            if (status == HttpStatusCode.Unauthorized)
            {
                return;
            }

            if (DateTimeOffset.UtcNow - started > timeout)
            {
                throw new CakeException($"The registry still answers {(int)status} to user {user}'s old password within wait-timeout ({Settings.Duration.Format(timeout)}); expected 401 once every pod has the new htpasswd.");
            }

            await Task.Delay(pollInterval, cancellationToken);
        }
    }
}
