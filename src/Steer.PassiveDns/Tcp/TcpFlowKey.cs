using Steer.Dns;

namespace Steer.PassiveDns.Tcp;

/// <summary>
/// One direction of one TCP connection as seen on one interface: the server's bytes to the
/// client. The interface is part of the key because the same segment can be seen twice (on a
/// VLAN device and on its parent, or on the way in and out of a router), and each sighting is a
/// stream of its own.
/// </summary>
public readonly record struct TcpFlowKey(int InterfaceIndex, DnsAddress Server, ushort ServerPort, DnsAddress Client, ushort ClientPort);
