using System.Buffers.Binary;
using System.Net;

namespace Steer.PassiveDns.Tests;

/// <summary>
/// Hand-built packets as a cooked AF_PACKET socket hands them over: from the IP header on.
/// Every field is written explicitly so tests can bend any of them.
/// </summary>
internal static class Frames
{
    public static readonly IPAddress Server4 = IPAddress.Parse("192.0.2.53"), Client4 = IPAddress.Parse("198.51.100.7");
    public static readonly IPAddress Server6 = IPAddress.Parse("2001:db8::53"), Client6 = IPAddress.Parse("2001:db8:1::7");
    public const ushort ClientPort = 40000;

    public const byte UdpProtocol = 17, TcpProtocol = 6, Icmp = 1, Esp = 50;

    /// <summary>An IPv4 packet. <paramref name="options"/> pad the header (a multiple of 4 bytes);
    /// <paramref name="fragment"/> is the flags/offset field as written.</summary>
    public static byte[] IPv4(byte protocol, byte[] transport, IPAddress? source = null, IPAddress? destination = null,
        byte[]? options = null, ushort fragment = 0x4000 /* DF */)
    {
        options ??= [];
        int header = 20 + options.Length;
        var packet = new byte[header + transport.Length];
        packet[0] = (byte)(0x40 | header / 4);
        BinaryPrimitives.WriteUInt16BigEndian(packet.AsSpan(2), (ushort)packet.Length);
        BinaryPrimitives.WriteUInt16BigEndian(packet.AsSpan(4), 0x1234);
        BinaryPrimitives.WriteUInt16BigEndian(packet.AsSpan(6), fragment);
        packet[8] = 64;
        packet[9] = protocol;
        (source ?? Server4).TryWriteBytes(packet.AsSpan(12, 4), out _);
        (destination ?? Client4).TryWriteBytes(packet.AsSpan(16, 4), out _);
        options.CopyTo(packet, 20);
        transport.CopyTo(packet, header);
        return packet;
    }

    /// <summary>An IPv6 packet; <paramref name="extensions"/> are (type, bytes) chained in order
    /// before the transport header, each with its next-header byte filled in here.</summary>
    public static byte[] IPv6(byte protocol, byte[] transport, IPAddress? source = null, IPAddress? destination = null,
        params (byte Type, byte[] Bytes)[] extensions)
    {
        int length = 40 + extensions.Sum(e => e.Bytes.Length) + transport.Length;
        var packet = new byte[length];
        packet[0] = 0x60;
        BinaryPrimitives.WriteUInt16BigEndian(packet.AsSpan(4), (ushort)(length - 40));
        packet[6] = extensions.Length > 0 ? extensions[0].Type : protocol;
        packet[7] = 64;
        (source ?? Server6).TryWriteBytes(packet.AsSpan(8, 16), out _);
        (destination ?? Client6).TryWriteBytes(packet.AsSpan(24, 16), out _);
        int offset = 40;
        for (int i = 0; i < extensions.Length; i++)
        {
            extensions[i].Bytes.CopyTo(packet, offset);
            packet[offset] = i + 1 < extensions.Length ? extensions[i + 1].Type : protocol;
            offset += extensions[i].Bytes.Length;
        }
        transport.CopyTo(packet, offset);
        return packet;
    }

    /// <summary>A hop-by-hop, routing or destination options header of 8 × (1 + <paramref name="units"/>) bytes.</summary>
    public static (byte, byte[]) Options(byte type, int units = 0)
    {
        var bytes = new byte[8 * (1 + units)];
        bytes[1] = (byte)units;
        bytes[2] = 1; // PadN, so the options parse as such
        bytes[3] = (byte)(bytes.Length - 4);
        return (type, bytes);
    }

    /// <summary>An IPv6 fragment header: <paramref name="offset"/> in 8-byte units, M flag.</summary>
    public static (byte, byte[]) Fragment(int offset, bool more)
    {
        var bytes = new byte[8];
        BinaryPrimitives.WriteUInt16BigEndian(bytes.AsSpan(2), (ushort)(offset << 3 | (more ? 1 : 0)));
        BinaryPrimitives.WriteUInt32BigEndian(bytes.AsSpan(4), 0xABCD);
        return (44, bytes);
    }

    /// <summary>An authentication header: (2 + <paramref name="units"/>) × 4 bytes.</summary>
    public static (byte, byte[]) Authentication(int units = 4)
    {
        var bytes = new byte[(2 + units) * 4];
        bytes[1] = (byte)units;
        return (51, bytes);
    }

    public static byte[] UdpDatagram(byte[] payload, ushort sourcePort = 53, ushort destinationPort = ClientPort)
    {
        var datagram = new byte[8 + payload.Length];
        BinaryPrimitives.WriteUInt16BigEndian(datagram, sourcePort);
        BinaryPrimitives.WriteUInt16BigEndian(datagram.AsSpan(2), destinationPort);
        BinaryPrimitives.WriteUInt16BigEndian(datagram.AsSpan(4), (ushort)datagram.Length);
        payload.CopyTo(datagram, 8);
        return datagram;
    }

    public static byte[] TcpSegment(byte[] payload, uint sequence = 1000, TcpFlags flags = TcpFlags.Ack | TcpFlags.Psh,
        ushort sourcePort = 53, ushort destinationPort = ClientPort, int optionBytes = 0)
    {
        int header = 20 + optionBytes;
        var segment = new byte[header + payload.Length];
        BinaryPrimitives.WriteUInt16BigEndian(segment, sourcePort);
        BinaryPrimitives.WriteUInt16BigEndian(segment.AsSpan(2), destinationPort);
        BinaryPrimitives.WriteUInt32BigEndian(segment.AsSpan(4), sequence);
        segment[12] = (byte)(header / 4 << 4);
        segment[13] = (byte)flags;
        BinaryPrimitives.WriteUInt16BigEndian(segment.AsSpan(14), 65535);
        for (int i = 20; i < header; i++)
            segment[i] = 1; // NOP options
        payload.CopyTo(segment, header);
        return segment;
    }

    public static byte[] UdpAnswer4(byte[] message) => IPv4(UdpProtocol, UdpDatagram(message));

    public static byte[] UdpAnswer6(byte[] message) => IPv6(UdpProtocol, UdpDatagram(message));

    /// <summary>The 2-byte length and the message, as DNS over TCP sends it.</summary>
    public static byte[] Framed(byte[] message) => [(byte)(message.Length >> 8), (byte)message.Length, .. message];
}

/// <summary>DNS messages for the tests, built with the codec's object model.</summary>
internal static class Answers
{
    public static readonly DnsName Name = DnsName.Parse("www.example.com");

    public static byte[] For(string name, params string[] addresses) => Build(DnsName.Parse(name), DnsRcode.NoError,
        [.. addresses.Select(a => DnsRecord.Address(DnsName.Parse(name), 300, DnsAddress.Parse(a)))]);

    public static byte[] Build(DnsName question, DnsRcode rcode, DnsRecord[] answers, DnsType type = DnsType.A, ushort flags = 0x8180, ushort id = 7) =>
        new DnsMessage
        {
            Header = new DnsHeader(id, (ushort)(flags | (ushort)rcode)),
            Questions = [new DnsQuestion(question, type)],
            Answers = answers,
        }.ToArray();

    public static byte[] WithChain() => Build(Name, DnsRcode.NoError,
    [
        DnsRecord.Cname(Name, 600, DnsName.Parse("edge.cdn.example")),
        DnsRecord.Address(DnsName.Parse("edge.cdn.example"), 30, DnsAddress.Parse("203.0.113.9")),
        DnsRecord.Address(DnsName.Parse("edge.cdn.example"), 20, DnsAddress.Parse("2001:db8::9")),
    ]);

    /// <summary>An answer of about <paramref name="bytes"/> bytes: many A records.</summary>
    public static byte[] Large(int bytes)
    {
        int count = Math.Max(1, (bytes - 40) / 16);
        return Build(Name, DnsRcode.NoError,
            [.. Enumerable.Range(0, count).Select(i => DnsRecord.Address(Name, 60, DnsAddress.FromBytes([10, (byte)(i >> 16), (byte)(i >> 8), (byte)i])))]);
    }
}
