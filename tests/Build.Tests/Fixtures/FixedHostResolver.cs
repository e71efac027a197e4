using System.Net;
using Registry.Build.Prerequisites;

namespace Registry.Build.Tests.Fixtures;

/// <summary>DNS as a test sets it up: the machine here has no public DNS to ask.</summary>
public sealed class FixedHostResolver(IReadOnlyDictionary<string, string> records) : HostResolver
{
    public override Task<IReadOnlyList<IPAddress>> ResolveAsync(string host, CancellationToken cancellationToken) =>
        Task.FromResult<IReadOnlyList<IPAddress>>(records.TryGetValue(host, out var address) ? [IPAddress.Parse(address)] : []);
}
