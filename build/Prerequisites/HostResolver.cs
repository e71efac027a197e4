using System.Net;
using System.Net.Sockets;

namespace Registry.Build.Prerequisites;

/// <summary>Looks a name up in DNS as the machine does; a name that does not resolve gives no address.</summary>
public class HostResolver
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(10);

    public virtual async Task<IReadOnlyList<IPAddress>> ResolveAsync(string host, CancellationToken cancellationToken)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(Timeout);
        try
        {
            return await Dns.GetHostAddressesAsync(host, timeout.Token);
        }
        catch (SocketException)
        {
            return [];
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            return [];
        }
    }
}
