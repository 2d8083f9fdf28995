using System.Net;
using FsCheck;
using FsCheck.Fluent;
using static Steer.PassiveDns.Tests.Frames;

namespace Steer.PassiveDns.Tests;

/// <summary>What a generated packet should parse to, and the packet itself.</summary>
internal sealed record PacketSpec(
    bool IPv6, DnsTransport Transport, IPAddress Source, IPAddress Destination, ushort SourcePort, ushort DestinationPort,
    uint Sequence, TcpFlags Flags, byte[] Payload, byte[] Packet)
{
    public override string ToString() => $"{(IPv6 ? "v6" : "v4")} {Transport} {Source}:{SourcePort} -> {Destination}:{DestinationPort} payload {Payload.Length} packet {Convert.ToHexString(Packet)}";
}

/// <summary>Packets valid in every header: IPv4 with options or IPv6 with extension headers,
/// UDP or TCP with options, any ports and payload, sometimes Ethernet padding after.</summary>
internal static class PacketGenerators
{
    public static readonly Config Config = FsCheck.Config.QuickThrowOnFailure.WithMaxTest(1000);

    private static Gen<byte> AnyByte => Gen.Choose(0, 255).Select(i => (byte)i);

    public static Gen<byte[]> Bytes(int min, int max) => Gen.Choose(min, max).SelectMany(n => AnyByte.ArrayOf(n));

    private static readonly Gen<ushort> Port = Gen.Frequency((2, Gen.Constant((ushort)53)), (1, Gen.Choose(0, 65535).Select(i => (ushort)i)));

    private static readonly Gen<IPAddress> Address4 = AnyByte.ArrayOf(4).Select(b => new IPAddress(b));
    private static readonly Gen<IPAddress> Address6 = AnyByte.ArrayOf(16).Select(b => new IPAddress(b));

    private static readonly Gen<(byte, byte[])> Extension = Gen.OneOf(
        Gen.Elements<byte>(0, 43, 60).SelectMany(t => Gen.Choose(0, 3).Select(u => Options(t, u))),
        Gen.Constant(Fragment(0, more: false)),
        Gen.Choose(1, 6).Select(Authentication));

    public static readonly Gen<PacketSpec> Valid =
        from ipv6 in Gen.Elements(false, true)
        from transport in Gen.Elements(DnsTransport.Udp, DnsTransport.Tcp)
        from source in ipv6 ? Address6 : Address4
        from destination in ipv6 ? Address6 : Address4
        from sourcePort in Port
        from destinationPort in Port
        from sequence in Gen.Choose(int.MinValue, int.MaxValue).Select(i => (uint)i)
        from flags in Gen.Choose(0, 0x1F).Select(i => (TcpFlags)i)
        from tcpOptions in Gen.Choose(0, 10).Select(n => n * 4)
        from ipv4Options in Gen.Choose(0, 10).Select(n => n * 4)
        from extensions in Gen.Choose(0, 3).SelectMany(n => Extension.ArrayOf(n))
        from payload in Bytes(0, 600)
        from padding in Gen.Frequency((4, Gen.Constant(0)), (1, Gen.Choose(1, 20)))
        select Make(ipv6, transport, source, destination, sourcePort, destinationPort, sequence, flags, tcpOptions, ipv4Options, extensions, payload, padding);

    private static PacketSpec Make(bool ipv6, DnsTransport transport, IPAddress source, IPAddress destination, ushort sourcePort,
        ushort destinationPort, uint sequence, TcpFlags flags, int tcpOptions, int ipv4Options, (byte, byte[])[] extensions, byte[] payload, int padding)
    {
        var l4 = transport == DnsTransport.Udp
            ? UdpDatagram(payload, sourcePort, destinationPort)
            : TcpSegment(payload, sequence, flags, sourcePort, destinationPort, tcpOptions);
        byte protocol = transport == DnsTransport.Udp ? UdpProtocol : TcpProtocol;
        var packet = ipv6
            ? IPv6(protocol, l4, source, destination, extensions)
            : IPv4(protocol, l4, source, destination, new byte[ipv4Options]);
        if (transport == DnsTransport.Udp)
            (sequence, flags) = (0, TcpFlags.None);
        return new PacketSpec(ipv6, transport, source, destination, sourcePort, destinationPort, sequence, flags, payload, [.. packet, .. new byte[padding]]);
    }

    /// <summary>A valid packet bent: bits flipped, bytes overwritten (often in the headers), cut, or grown.</summary>
    public static readonly Gen<byte[]> Mutated = Valid.SelectMany(spec => Gen.Choose(1, 4).SelectMany(n => Mutate(spec.Packet, n)));

    public static readonly Gen<byte[]> Random = Gen.OneOf(
        Bytes(0, 80),
        // The right version nibble gets past the first check more often.
        from version in Gen.Elements<byte>(0x45, 0x4F, 0x60, 0x6F) from rest in Bytes(0, 120) select (byte[])[version, .. rest]);

    private static Gen<byte[]> Mutate(byte[] bytes, int times)
    {
        if (times == 0 || bytes.Length == 0)
            return Gen.Constant(bytes);
        int headers = Math.Min(bytes.Length, 80);
        var position = Gen.Frequency((3, Gen.Choose(0, headers - 1)), (1, Gen.Choose(0, bytes.Length - 1)));
        var once = Gen.OneOf(
            from p in position from bit in Gen.Choose(0, 7) select With(bytes, p, (byte)(bytes[p] ^ 1 << bit)),
            from p in position from v in Gen.Frequency((2, AnyByte), (1, Gen.Elements<byte>(0, 4, 5, 6, 17, 44, 51, 53, 0x45, 0x60, 0xFF))) select With(bytes, p, v),
            Gen.Choose(0, bytes.Length - 1).Select(n => bytes[..n]),
            Bytes(1, 30).Select(extra => (byte[])[.. bytes, .. extra]));
        return once.SelectMany(b => Mutate(b, times - 1));
    }

    private static byte[] With(byte[] bytes, int position, byte value)
    {
        var copy = (byte[])bytes.Clone();
        copy[position] = value;
        return copy;
    }
}
