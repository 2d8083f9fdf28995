using FsCheck;
using FsCheck.Fluent;
using Steer.Linux.Netlink;
using Xunit;

namespace Steer.Linux.Tests.Netlink;

/// <summary>
/// The route and rule decoders on mutated route and rule messages: decode or throw
/// NetlinkParseException, nothing else. Mutations aim at the fixed headers too (family,
/// prefix lengths), where a lying value would index past an address.
/// </summary>
public sealed class RoutingParserPropertyTests
{
    private static readonly Config Runs = Config.QuickThrowOnFailure.WithMaxTest(3000);

    private static readonly Gen<byte[]> Valid = Gen.Elements(RoutingSamples.Datagrams);

    [Fact]
    public void Mutated_route_and_rule_messages_decode_or_throw_NetlinkParseException()
    {
        var mutated =
            from datagram in Valid
            from width in Gen.Elements(1, 2, 4)
            from offset in Gen.Choose(0, datagram.Length - width)
            from value in Gen.Choose(int.MinValue, int.MaxValue)
            select NetlinkParserPropertyTests.Overwrite(datagram, offset, width, value);
        Check.One(Runs, Prop.ForAll(mutated.ToArbitrary(), NetlinkParserPropertyTests.ParsesOrRejects));
    }

    [Fact]
    public void Header_bytes_set_to_any_value_decode_or_throw_NetlinkParseException()
    {
        // Every byte of nlmsghdr + rtmsg / fib_rule_hdr, through all 256 values.
        var mutated =
            from datagram in Valid
            from offset in Gen.Choose(0, Nl.HeaderSize + Rt.RtMsgSize - 1)
            from value in Gen.Choose(0, 255)
            select NetlinkParserPropertyTests.Overwrite(datagram, offset, 1, value);
        Check.One(Runs, Prop.ForAll(mutated.ToArbitrary(), NetlinkParserPropertyTests.ParsesOrRejects));
    }

    [Fact]
    public void Truncated_route_and_rule_messages_decode_or_throw_NetlinkParseException()
    {
        var truncated =
            from datagram in Valid
            from length in Gen.Choose(0, datagram.Length)
            select datagram[..length];
        Check.One(Runs, Prop.ForAll(truncated.ToArbitrary(), NetlinkParserPropertyTests.ParsesOrRejects));
    }

    [Fact]
    public void Truncated_messages_whose_length_field_agrees_decode_or_throw_NetlinkParseException()
    {
        // Cut the message and fix nlmsg_len so the reader hands the short payload to the decoders.
        var shortened =
            from datagram in Valid
            from length in Gen.Choose(Nl.HeaderSize, datagram.Length)
            select NetlinkParserPropertyTests.Overwrite(datagram[..length], 0, 4, length);
        Check.One(Runs, Prop.ForAll(shortened.ToArbitrary(), NetlinkParserPropertyTests.ParsesOrRejects));
    }
}
