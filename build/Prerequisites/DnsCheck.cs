using System.Net;

namespace Registry.Build.Prerequisites;

/// <summary>Whether <c>host</c> points at the ingress controller (guide step 3), and if not, the record to create.</summary>
public sealed record DnsCheck(string Host, string? ControllerAddress, IReadOnlyList<IPAddress> Resolved, bool Matches)
{
    public static async Task<DnsCheck> RunAsync(string host, IngressControllerState controller, HostResolver resolver, CancellationToken cancellationToken)
    {
        var resolved = await resolver.ResolveAsync(host, cancellationToken);
        if (controller.ExternalAddress is not { } address)
        {
            return new DnsCheck(host, null, resolved, false);
        }

        var expected = IPAddress.TryParse(address, out var ip) ? [ip] : await resolver.ResolveAsync(address, cancellationToken);
        return new DnsCheck(host, address, resolved, resolved.Intersect(expected).Any());
    }

    public string Describe()
    {
        var seen = Resolved.Count == 0 ? $"{Host} does not resolve" : $"{Host} resolves to {string.Join(", ", Resolved)}";
        if (ControllerAddress is null)
        {
            return $"{seen}, and the ingress controller has no external address to compare with (a cluster without a load balancer, " +
                "such as kind, minikube or bare metal, gives it none: point host at a node or a port mapping yourself)";
        }

        return Matches
            ? $"{Host} resolves to {ControllerAddress}, the ingress controller's address"
            : $"{seen}, not to the ingress controller's address {ControllerAddress}. Create this DNS record: {Record()}";
    }

    private string Record() => IPAddress.TryParse(ControllerAddress, out var ip)
        ? $"{Host}. {(ip.AddressFamily == System.Net.Sockets.AddressFamily.InterNetworkV6 ? "AAAA" : "A")} {ControllerAddress}"
        : $"{Host}. CNAME {ControllerAddress}.";
}
