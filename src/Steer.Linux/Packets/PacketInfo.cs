namespace Steer.Linux.Packets;

/// <summary>Which way a captured packet went, as the kernel classes it (PACKET_* of packet(7)).</summary>
public enum PacketType : byte
{
    /// <summary>Addressed to this host (PACKET_HOST): arrived from outside, or forwarded through.</summary>
    Host = 0,
    Broadcast = 1,
    Multicast = 2,
    /// <summary>For another host, seen because the interface is promiscuous.</summary>
    OtherHost = 3,
    /// <summary>Sent by this host (PACKET_OUTGOING), including packets it forwards out.</summary>
    Outgoing = 4,
}

/// <summary>Where a captured packet was seen (from its <c>sockaddr_ll</c>).</summary>
/// <param name="InterfaceIndex">The device it was seen on.</param>
/// <param name="Protocol">Its EtherType (0x0800 IPv4, 0x86DD IPv6), host order.</param>
/// <param name="HardwareType">The device's ARPHRD_* type (1 Ethernet, 772 loopback, 65534 none: TUN, WireGuard).</param>
/// <param name="Length">The packet's whole length; more than was copied when the buffer was too small.</param>
public readonly record struct PacketInfo(int InterfaceIndex, PacketType Type, ushort Protocol, ushort HardwareType, int Length);

/// <summary>PACKET_STATISTICS since the previous read: packets that passed the socket's filter,
/// and how many of those the kernel dropped because the receive queue was full.</summary>
public readonly record struct PacketStatistics(ulong Packets, ulong Drops);
