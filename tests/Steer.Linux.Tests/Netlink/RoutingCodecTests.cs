using System.Net;
using System.Net.Sockets;
using FsCheck;
using FsCheck.Fluent;
using Steer.Linux.Netlink;
using Xunit;

namespace Steer.Linux.Tests.Netlink;

/// <summary>What the route and rule encoders write, the decoders read back as an equal record;
/// and records the kernel could only refuse vaguely are refused before anything is sent.</summary>
public sealed class RoutingCodecTests
{
    private static readonly Config Runs = Config.QuickThrowOnFailure.WithMaxTest(1000);

    private static Gen<IPAddress> Addresses(bool v6) =>
        Gen.ArrayOf(Gen.Choose(0, 255).Select(b => (byte)b), v6 ? 16 : 4).Select(b => new IPAddress(b));

    private static Gen<IPNetwork> Networks(bool v6) =>
        from address in Addresses(v6)
        from length in Gen.Choose(0, v6 ? 128 : 32)
        select Mask(address, length);

    private static Gen<T?> Maybe<T>(Gen<T> gen) where T : class => Gen.OneOf(Gen.Constant<T?>(null), gen.Select(v => (T?)v));
    private static Gen<T?> MaybeValue<T>(Gen<T> gen) where T : struct => Gen.OneOf(Gen.Constant<T?>(null), gen.Select(v => (T?)v));
    private static readonly Gen<uint> UInts = Gen.Choose(int.MinValue, int.MaxValue).Select(i => unchecked((uint)i));

    private static readonly Gen<Route> RouteGen =
        from v6 in Gen.Elements(false, true)
        from destination in Networks(v6)
        from gateway in Maybe(Gen.Elements(false, true).SelectMany(viaV6 => Addresses(v6 || viaV6)))
        from oif in MaybeValue(Gen.Choose(1, int.MaxValue))
        from table in UInts.Where(t => t != 0)
        from metric in MaybeValue(UInts)
        from scope in MaybeValue(Gen.Elements(Enum.GetValues<RouteScope>()))
        from type in Gen.Elements(Enum.GetValues<RouteType>())
        from source in Maybe(Addresses(v6))
        from protocol in Gen.Choose(0, 255).Select(p => (RouteProtocol)p)
        from onLink in Gen.Elements(false, true)
        select new Route
        {
            Destination = destination, Gateway = gateway, OutputInterface = oif, Table = table, Metric = metric, Scope = scope,
            Type = type, PreferredSource = source, Protocol = protocol, OnLink = onLink,
        };

    private static readonly Gen<string> Names = Gen.Elements("lo", "eth0", "veth-a.100", "wg0");

    private static readonly Gen<Rule> RuleGen =
        from v6 in Gen.Elements(false, true)
        from priority in MaybeValue(UInts)
        from invert in Gen.Elements(false, true)
        from source in MaybeValue(Networks(v6))
        from destination in MaybeValue(Networks(v6))
        from iif in Maybe(Names)
        from oif in Maybe(Names)
        from mark in MaybeValue(UInts)
        from mask in MaybeValue(UInts)
        from ipProtocol in MaybeValue(Gen.Choose(0, 255).Select(p => (byte)p))
        from sport in MaybeValue(Ports)
        from dport in MaybeValue(Ports)
        from action in Gen.Elements(RuleAction.ToTable, RuleAction.Goto, RuleAction.Nop, RuleAction.Blackhole, RuleAction.Unreachable, RuleAction.Prohibit)
        from table in UInts.Where(t => t != 0)
        from target in UInts
        from suppress in MaybeValue(Gen.Choose(0, v6 ? 128 : 32))
        from protocol in Gen.Choose(0, 255).Select(p => (RouteProtocol)p)
        select new Rule
        {
            Family = v6 ? AddressFamily.InterNetworkV6 : AddressFamily.InterNetwork, Priority = priority, Invert = invert,
            Source = source, Destination = destination, InputInterface = iif, OutputInterface = oif, FwMark = mark, FwMask = mask,
            IpProtocol = ipProtocol, SourcePorts = sport, DestinationPorts = dport, Action = action,
            Table = action == RuleAction.ToTable ? table : null, GotoPriority = action == RuleAction.Goto ? target : null,
            SuppressPrefixLength = suppress, Protocol = protocol,
        };

    private static Gen<PortRange> Ports =>
        from start in Gen.Choose(1, 65535)
        from end in Gen.Choose(start, 65535)
        select new PortRange((ushort)start, (ushort)end);

    [Fact]
    public void Routes_round_trip_through_encoder_and_decoder() =>
        Check.One(Runs, Prop.ForAll(RouteGen.ToArbitrary(), route =>
        {
            RouteEncoder.Validate(route);
            // What the kernel reports: the scope chosen on add is explicit in the reply.
            var expected = route with { Scope = route.ScopeToAdd };
            Assert.Equal(expected, DecodeOne(KernelMessages.Route(route), RouteDecoder.Decode));
        }));

    [Fact]
    public void Rules_round_trip_through_encoder_and_decoder() =>
        Check.One(Runs, Prop.ForAll(RuleGen.ToArbitrary(), rule =>
        {
            RuleEncoder.Validate(rule, delete: false);
            // The kernel's spellings: priority 0 when none, no mask for all ones, mark 0 when only a mask.
            var mask = rule.FwMask == uint.MaxValue ? null : rule.FwMask;
            var expected = rule with { Priority = rule.Priority ?? 0, FwMask = mask, FwMark = mask is null ? rule.FwMark : rule.FwMark ?? 0 };
            Assert.Equal(expected, DecodeOne(KernelMessages.Rule(rule), RuleDecoder.Decode));
        }));

    [Fact]
    public void Samples_decode_to_themselves()
    {
        foreach (var route in RoutingSamples.Routes)
            Assert.Equal(route with { Scope = route.ScopeToAdd }, DecodeOne(KernelMessages.Route(route), RouteDecoder.Decode));
        foreach (var rule in RoutingSamples.Rules)
            Assert.Equal(rule with { Priority = rule.Priority ?? 0 }, DecodeOne(KernelMessages.Rule(rule), RuleDecoder.Decode));
    }

    [Fact]
    public void Route_events_and_rule_events_decode_with_their_change()
    {
        var events = new List<NetlinkEvent>();
        NetlinkEventDecoder.Decode(KernelMessages.Concat(
            KernelMessages.Route(RoutingSamples.Routes[0]),
            KernelMessages.Route(RoutingSamples.Routes[1], type: Rt.RTM_DELROUTE),
            KernelMessages.Rule(RoutingSamples.Rules[0]),
            KernelMessages.Rule(RoutingSamples.Rules[1], type: Rt.RTM_DELRULE)), events);

        Assert.Collection(events,
            e => Assert.Equal(RouteChange.Added, Assert.IsType<RouteEvent>(e).Change),
            e => Assert.Equal(RouteChange.Deleted, Assert.IsType<RouteEvent>(e).Change),
            e => Assert.Equal(RuleChange.Added, Assert.IsType<RuleEvent>(e).Change),
            e => Assert.Equal(RuleChange.Deleted, Assert.IsType<RuleEvent>(e).Change));
    }

    [Fact]
    public void Other_families_and_cached_clones_are_skipped_not_misread()
    {
        var multicast = KernelMessages.Route(RoutingSamples.Routes[0]);
        multicast[Nl.HeaderSize] = 128; // RTNL_FAMILY_IPMR
        Assert.Null(DecodeOne(multicast, RouteDecoder.Decode));

        var cloned = KernelMessages.Route(RoutingSamples.Routes[0]);
        cloned[Nl.HeaderSize + 9] |= 0x02; // RTM_F_CLONED, 0x200, in the second byte of rtm_flags
        Assert.Null(DecodeOne(cloned, RouteDecoder.Decode));
    }

    [Fact]
    public void IPv6_rule_prefixes_with_host_bits_are_read_masked()
    {
        var rule = KernelMessages.Rule(new Rule { Family = AddressFamily.InterNetworkV6, Priority = 1, Table = 5, Source = IPNetwork.Parse("fd00::/64") });
        // The kernel keeps an IPv6 rule's address as given: put a host bit in FRA_SRC.
        int at = rule.AsSpan().IndexOf(new byte[] { 0xfd, 0x00 });
        rule[at + 15] = 1;
        Assert.Equal(IPNetwork.Parse("fd00::/64"), DecodeOne(rule, RuleDecoder.Decode)!.Source);
    }

    [Fact]
    public void Bad_routes_are_refused_before_sending()
    {
        var v6 = IPNetwork.Parse("fd00::/8");
        Assert.Throws<ArgumentException>(() => RouteEncoder.Validate(new Route { Destination = v6, Gateway = IPAddress.Parse("10.0.0.1") }));
        Assert.Throws<ArgumentException>(() => RouteEncoder.Validate(new Route { Destination = v6, PreferredSource = IPAddress.Parse("10.0.0.1") }));
        Assert.Throws<ArgumentException>(() => RouteEncoder.Validate(new Route { Destination = v6, OutputInterface = 0 }));
        Assert.Throws<ArgumentException>(() => RouteEncoder.Validate(new Route { Destination = v6, Table = 0 }));
        // Prefix lengths out of range never become a network; host bits are cleared by IPNetwork.
        Assert.Throws<ArgumentOutOfRangeException>(() => new IPNetwork(IPAddress.Parse("10.0.0.0"), 33));
        Assert.Equal("10.0.0.0/8", new Route { Destination = new IPNetwork(IPAddress.Parse("10.0.0.1"), 8) }.ToString());
    }

    [Fact]
    public void Bad_rules_are_refused_before_sending()
    {
        var v4 = AddressFamily.InterNetwork;
        void Refused(Rule rule) => Assert.Throws<ArgumentException>(() => RuleEncoder.Validate(rule, delete: false));
        Refused(new Rule { Family = v4 }); // lookup without a table
        Refused(new Rule { Family = v4, Table = 5, Source = IPNetwork.Parse("fd00::/8") });
        Refused(new Rule { Family = v4, Table = 5, InputInterface = "a-name-longer-than-15" });
        Refused(new Rule { Family = v4, Action = RuleAction.Blackhole, Table = 5 });
        Refused(new Rule { Family = v4, Table = 5, DestinationPorts = new PortRange(90, 80) });
        Refused(new Rule { Family = v4, Action = RuleAction.Goto });
        Refused(new Rule { Family = AddressFamily.Unix, Table = 5 });
        // Deleting may leave the table out: it then matches any.
        RuleEncoder.Validate(new Rule { Family = v4, Priority = 5 }, delete: true);
    }

    private delegate T? Decoder<T>(in NetlinkMessage message);

    private static T? DecodeOne<T>(byte[] datagram, Decoder<T> decode) where T : class
    {
        var reader = new NetlinkMessageReader(datagram);
        Assert.True(reader.TryRead(out var message));
        return decode(message);
    }

    private static IPNetwork Mask(IPAddress address, int length)
    {
        var bytes = address.GetAddressBytes();
        for (int bit = length; bit < bytes.Length * 8; bit++)
            bytes[bit / 8] &= (byte)~(0x80 >> (bit % 8));
        return new IPNetwork(new IPAddress(bytes), length);
    }
}
