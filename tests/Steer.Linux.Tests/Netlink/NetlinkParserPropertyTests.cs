using FsCheck;
using FsCheck.Fluent;
using Steer.Linux.Netlink;
using Xunit;

namespace Steer.Linux.Tests.Netlink;

/// <summary>
/// Whatever bytes arrive, the parser either decodes them or throws NetlinkParseException: never
/// an IndexOutOfRange, ArgumentOutOfRange or anything else.
/// </summary>
public sealed class NetlinkParserPropertyTests
{
    private static readonly Config Runs = Config.QuickThrowOnFailure.WithMaxTest(2000);

    private static readonly Gen<byte[]> ValidDatagrams = Gen.Elements(
        KernelMessages.Link(3, "veth0", kind: "veth"),
        KernelMessages.Link(1, "lo", kind: null, type: Rt.RTM_DELLINK),
        KernelMessages.Address(3, [10, 0, 0, 1], 24, "veth0"),
        KernelMessages.Address(3, new byte[16], 64, type: Rt.RTM_DELADDR),
        KernelMessages.Error(errno: 22, ack: "Invalid prefix length"),
        KernelMessages.Done(errno: 16, ack: "Dump failed"),
        KernelMessages.Concat(KernelMessages.Link(2, "eth0"), KernelMessages.Address(2, [192, 168, 1, 2], 16), KernelMessages.Done()),
        RoutingSamples.Datagrams[0],
        RoutingSamples.Datagrams[^1]);

    [Fact]
    public void Random_bytes_parse_or_throw_NetlinkParseException() =>
        Check.One(Runs, Prop.ForAll(Gen.ArrayOf(Gen.Choose(0, 255).Select(b => (byte)b)).ToArbitrary(), ParsesOrRejects));

    [Fact]
    public void Truncated_valid_datagrams_parse_or_throw_NetlinkParseException()
    {
        var truncated =
            from datagram in ValidDatagrams
            from length in Gen.Choose(0, datagram.Length)
            select datagram[..length];
        Check.One(Runs, Prop.ForAll(truncated.ToArbitrary(), ParsesOrRejects));
    }

    [Fact]
    public void Lying_lengths_and_flipped_bytes_parse_or_throw_NetlinkParseException()
    {
        // Overwrite a u16 anywhere (attribute lengths and types, message flags) or a u32 at a
        // message-aligned offset (nlmsg_len, ifindex, errno) with an arbitrary value.
        var mutated =
            from datagram in ValidDatagrams
            from width in Gen.Elements(1, 2, 4)
            from offset in Gen.Choose(0, datagram.Length - width)
            from value in Gen.Choose(int.MinValue, int.MaxValue)
            select Overwrite(datagram, offset, width, value);
        Check.One(Runs, Prop.ForAll(mutated.ToArbitrary(), ParsesOrRejects));
    }

    [Fact]
    public void Valid_datagrams_decode_fully()
    {
        var events = new List<NetlinkEvent>();
        NetlinkEventDecoder.Decode(KernelMessages.Concat(
            KernelMessages.Link(2, "eth0", change: Rt.IfiChangeNewLink),
            KernelMessages.Address(2, [192, 168, 1, 2], 16, "eth0")), events);

        Assert.Equal(
            [
                new LinkEvent(LinkChange.Added, new Link(2, "eth0", true, true, 1500, "veth", 1)),
                new AddressEvent(AddressChange.Added, new InterfaceAddress(2, System.Net.IPAddress.Parse("192.168.1.2"), 16, 0, AddressFlags.Permanent, "eth0")),
            ],
            events);
    }

    internal static byte[] Overwrite(byte[] datagram, int offset, int width, int value)
    {
        var copy = (byte[])datagram.Clone();
        BitConverter.GetBytes(value).AsSpan(0, width).CopyTo(copy.AsSpan(offset));
        return copy;
    }

    /// <summary>Runs every decoder over every message and every attribute run it can find.
    /// Each step catches only NetlinkParseException; anything else fails the property.</summary>
    internal static void ParsesOrRejects(byte[] datagram)
    {
        try
        {
            NetlinkEventDecoder.Decode(datagram, []);
        }
        catch (NetlinkParseException) { }

        try
        {
            var reader = new NetlinkMessageReader(datagram);
            while (reader.TryRead(out var message))
                DecodeEveryWay(message);
        }
        catch (NetlinkParseException) { }
    }

    private static void DecodeEveryWay(in NetlinkMessage m)
    {
        try { LinkDecoder.Decode(m); } catch (NetlinkParseException) { }
        try { AddressDecoder.Decode(m); } catch (NetlinkParseException) { }
        try { RouteDecoder.Decode(m); } catch (NetlinkParseException) { }
        try { RuleDecoder.Decode(m); } catch (NetlinkParseException) { }
        try { NetlinkErrorDecoder.DecodeError(m); } catch (NetlinkParseException) { }
        try { NetlinkErrorDecoder.DecodeDone(m); } catch (NetlinkParseException) { }
        foreach (int skip in new[] { 0, 4, 8, 16, 20 })
        {
            if (skip > m.Payload.Length)
                continue;
            try { WalkAttributes(new NetlinkAttributeReader(m.Payload[skip..])); } catch (NetlinkParseException) { }
        }
    }

    private static void WalkAttributes(NetlinkAttributeReader reader)
    {
        while (reader.TryRead(out var attribute))
        {
            _ = attribute.GetString();
            if (attribute.Payload.Length >= 4)
                _ = attribute.GetUInt32();
            if (attribute.IsNested)
                WalkAttributes(attribute.GetNested());
        }
    }
}
