namespace Steer.PassiveDns.Packets;

/// <summary>What <see cref="IpPacketParser"/> made of a packet.</summary>
public enum PacketVerdict
{
    /// <summary>A UDP datagram or TCP segment from port 53: <see cref="TransportSegment"/> is filled.</summary>
    DnsSegment,
    /// <summary>Neither IPv4 nor IPv6.</summary>
    NotIp,
    /// <summary>IP, but not UDP or TCP (or behind a header we do not skip, such as ESP).</summary>
    NotUdpOrTcp,
    /// <summary>UDP or TCP, but not from port 53.</summary>
    NotFromDnsPort,
    /// <summary>The first fragment of a fragmented datagram: the rest is not reassembled.</summary>
    FirstFragment,
    /// <summary>A later fragment: it has no transport header.</summary>
    LaterFragment,
    /// <summary>Shorter than its own headers say.</summary>
    Truncated,
    /// <summary>A header field is impossible (IHL under 5, a UDP length under 8, too many IPv6 extension headers).</summary>
    Malformed,
}
