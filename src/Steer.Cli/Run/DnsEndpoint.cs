using System.Net;
using System.Net.Sockets;

namespace Steer.Cli.Run;

/// <summary>Parses <c>--dns IP[:PORT]</c>: 10.0.0.53, 10.0.0.53:5353, fd00::53, [fd00::53]:5353.</summary>
internal static class DnsEndpoint
{
    public static IPEndPoint Parse(string text)
    {
        text = text.Trim();
        if (IPAddress.TryParse(text, out var bare) && !text.Contains('[', StringComparison.Ordinal) && (bare.AddressFamily == AddressFamily.InterNetworkV6 || !text.Contains(':', StringComparison.Ordinal)))
            return Validate(new IPEndPoint(bare, 53), text);
        if (IPEndPoint.TryParse(text, out var endpoint) && (text.StartsWith('[') || endpoint.AddressFamily == AddressFamily.InterNetwork))
            return Validate(new IPEndPoint(endpoint.Address, endpoint.Port == 0 ? 53 : endpoint.Port), text);
        throw new UsageException($"--dns {text}: expected IP or IP:PORT, e.g. 10.64.0.1, 10.64.0.1:5353 or [fd00::53]:53");
    }

    private static IPEndPoint Validate(IPEndPoint endpoint, string text)
    {
        if (endpoint.AddressFamily == AddressFamily.InterNetworkV6 && endpoint.Address.ScopeId != 0)
            throw new UsageException($"--dns {text}: zone ids are not supported");
        if (endpoint.Address.Equals(IPAddress.Any) || endpoint.Address.Equals(IPAddress.IPv6Any))
            throw new UsageException($"--dns {text}: the resolver needs a real address, not the unspecified one");
        return endpoint;
    }
}
