using System.Net;
using Steer.Cli.Run;
using Steer.Policy.Rules;

namespace Steer.Cli.Daemon;

/// <summary>--port, --protocol and --source of `steer explain`: a flow for the proxy's rules.</summary>
internal static class FlowOptions
{
    public static FlowQuestion Parse(string? port, string? protocol, string? source)
    {
        ushort? portNumber = null;
        if (port is not null)
        {
            var problem = PortSet.TryParseRange(port, out var range);
            if (problem is not null || range.First != range.Last)
                throw new UsageException($"--port {port}: {problem ?? "give one port, not a range"}");
            portNumber = range.First;
        }
        var flowProtocol = protocol switch
        {
            null => FlowProtocol.Any,
            "tcp" => FlowProtocol.Tcp,
            "udp" => FlowProtocol.Udp,
            _ => throw new UsageException($"--protocol {protocol}: tcp or udp"),
        };
        IPAddress? sourceAddress = null;
        if (source is not null && !IPAddress.TryParse(source, out sourceAddress))
            throw new UsageException($"--source {source}: not an IP address");
        return new FlowQuestion(portNumber, flowProtocol, sourceAddress);
    }
}
