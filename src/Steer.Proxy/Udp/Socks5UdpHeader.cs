using System.Buffers.Binary;
using Steer.Proxy.Native;

namespace Steer.Proxy.Udp;

/// <summary>
/// The header of a datagram relayed through a SOCKS5 UDP association (RFC 1928 §7):
/// <c>RSV(2) FRAG(1) ATYP(1) DST.ADDR DST.PORT</c>, 10 bytes for IPv4 and 22 for IPv6. Names
/// (ATYP 3) and fragments are not relayed: callers drop such datagrams.
/// </summary>
internal static class Socks5UdpHeader
{
    /// <summary>Room for the longest header this relay writes (IPv6).</summary>
    public const int MaxLength = 22;

    public static int LengthFor(in FlowEndpoint address) => address.IsIPv4 ? 10 : 22;

    /// <summary>Writes the header for <paramref name="address"/> at the start of <paramref name="span"/>; returns its length.</summary>
    public static int Write(Span<byte> span, in FlowEndpoint address)
    {
        var ipv4 = address.IsIPv4;
        var length = ipv4 ? 10 : 22;
        span[0] = 0; span[1] = 0; span[2] = 0;
        span[3] = ipv4 ? (byte)1 : (byte)4;
        if (ipv4)
            BinaryPrimitives.WriteUInt32BigEndian(span[4..], (uint)(address.Address & uint.MaxValue));
        else
            BinaryPrimitives.WriteUInt128BigEndian(span[4..], address.Address);
        BinaryPrimitives.WriteUInt16BigEndian(span[(length - 2)..], address.Port);
        return length;
    }

    /// <summary>The header's address and length; 0 for a datagram that is short, a fragment or addressed by name.</summary>
    public static int Read(ReadOnlySpan<byte> datagram, out FlowEndpoint address)
    {
        address = default;
        if (datagram.Length < 10 || datagram[2] != 0)
            return 0;
        switch (datagram[3])
        {
            case 1:
                address = FlowEndpoint.FromIPv4(BinaryPrimitives.ReadUInt32BigEndian(datagram[4..]), BinaryPrimitives.ReadUInt16BigEndian(datagram[8..]));
                return 10;
            case 4 when datagram.Length >= 22:
                address = new FlowEndpoint(BinaryPrimitives.ReadUInt128BigEndian(datagram[4..]), BinaryPrimitives.ReadUInt16BigEndian(datagram[20..]));
                return 22;
            default:
                return 0;
        }
    }
}
