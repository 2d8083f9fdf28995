using Steer.Dns;

namespace Steer.PassiveDns.Packets;

public enum DnsTransport : byte
{
    Udp,
    Tcp,
}

/// <summary>TCP header flags Steer looks at.</summary>
[Flags]
public enum TcpFlags : byte
{
    None = 0,
    Fin = 0x01,
    Syn = 0x02,
    Rst = 0x04,
    Psh = 0x08,
    Ack = 0x10,
}

/// <summary>
/// A UDP datagram or TCP segment found in a packet: its end points, and where its payload lies
/// in the packet (an offset and a length, so nothing is copied). Addresses are
/// <see cref="DnsAddress"/> values: parsing allocates nothing.
/// </summary>
public readonly record struct TransportSegment(
    DnsTransport Transport,
    DnsAddress Source,
    ushort SourcePort,
    DnsAddress Destination,
    ushort DestinationPort,
    int PayloadOffset,
    int PayloadLength,
    uint TcpSequence = 0,
    TcpFlags TcpFlags = TcpFlags.None)
{
    public ReadOnlySpan<byte> Payload(ReadOnlySpan<byte> packet) => packet.Slice(PayloadOffset, PayloadLength);
}
