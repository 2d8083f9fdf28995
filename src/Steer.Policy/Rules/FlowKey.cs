using System.Net;

namespace Steer.Policy.Rules;

/// <summary>
/// What the proxy knows of a flow when it picks the flow's outbound: the destination's name if
/// any (sniffed SNI or Host, the SOCKS request, the resolver's map), its address if any, the
/// destination port, the protocol, and the source address. Unknown parts are null
/// (<see cref="FlowProtocol.Any"/> for the protocol): a rule whose condition needs one does not match.
/// </summary>
public readonly record struct FlowKey(string? Name, IPAddress? Destination, ushort? Port, FlowProtocol Protocol, IPAddress? Source);
