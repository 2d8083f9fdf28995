using System.Net;
using FsCheck;
using FsCheck.Fluent;
using Steer.Policy.Names;
using Steer.Policy.Rules;

namespace Steer.Policy.Tests.Rules;

/// <summary>
/// <see cref="RuleSet.MatchFlow"/> against the precedence evaluated by brute force over every rule:
/// the most specific destination level the flow reaches (exact name, longer suffix, longer prefix,
/// any destination), and within it the first conditioned rule the flow meets, then the plain rule.
/// </summary>
public class RuleFlowPropertyTests
{
    private static readonly Gen<string> Label = Gen.Elements("a", "b", "example", "com");

    private static readonly Gen<string> NameText =
        Gen.Choose(1, 3).SelectMany(n => Label.ArrayOf(n)).Select(labels => string.Join('.', labels));

    private static readonly Gen<RuleAction> Action = Gen.Elements<RuleAction>(
        new ViaAction("wg0"), new ViaAction("eth1"), RejectAction.Instance, new OutboundAction("corp"));

    private static readonly string[] Networks = ["0.0.0.0/0", "10.0.0.0/8", "10.1.0.0/16", "10.1.2.0/24", "10.1.2.3/32", "192.168.1.0/24", "::/0", "2001:db8::/32", "fd00::/8"];

    private static readonly Gen<Cidr> Network = Gen.Elements(Networks).Select(Cidr.Parse);

    private static readonly Gen<Destination> Destination = Gen.Frequency(
        (3, NameText.Select(n => (Destination)new DomainDestination(DomainName.Parse(n)))),
        (2, NameText.Select(n => (Destination)new NameDestination(DomainName.Parse(n)))),
        (3, Network.Select(c => (Destination)new CidrDestination(c))),
        (1, Gen.Constant<Destination>(AnyDestination.Instance)));

    private static readonly Gen<PortSet?> Ports = Gen.Frequency(
        (2, Gen.Constant<PortSet?>(null)),
        (3, Gen.Elements<ushort>(22, 53, 80, 443, 8080).Select(p => (PortSet?)PortSet.Single(p))),
        (2, Gen.Elements<(ushort, ushort)>((80, 80), (443, 443), (8000, 8999), (0, 1023), (22, 22)).ArrayOf(2)
            .Select(r => (PortSet?)PortSet.Of(r))));

    private static readonly Gen<FlowProtocol> Protocol = Gen.Elements(FlowProtocol.Any, FlowProtocol.Any, FlowProtocol.Tcp, FlowProtocol.Udp);

    private static readonly Gen<Cidr[]> Sources = Gen.Frequency(
        (2, Gen.Constant(Array.Empty<Cidr>())),
        (2, Network.ArrayOf(1)),
        (1, Network.ArrayOf(2)));

    public static readonly Gen<RuleConditions> Conditions =
        from ports in Ports
        from protocol in Protocol
        from sources in Sources
        select RuleConditions.Of(ports, protocol, sources);

    private static readonly Gen<Rule> OneRule =
        from destination in Destination
        from action in Action
        from conditions in Gen.Frequency((1, Gen.Constant(RuleConditions.None)), (2, Conditions))
        where !(destination is AnyDestination && conditions.IsNone)
        select Rule.Create(destination, action, conditions);

    // One action per destination and conditions: a set with conflicts is not built.
    private static readonly Gen<List<Rule>> Rules =
        OneRule.ListOf().Select(rules => rules.DistinctBy(r => (r.Destination, r.Conditions)).ToList());

    private static readonly Gen<IPAddress?> Address = Gen.Elements<IPAddress?>(
        null, IPAddress.Parse("10.1.2.3"), IPAddress.Parse("10.1.9.9"), IPAddress.Parse("10.200.0.1"), IPAddress.Parse("192.168.1.7"),
        IPAddress.Parse("8.8.8.8"), IPAddress.Parse("2001:db8::1"), IPAddress.Parse("fd00::5"), IPAddress.Parse("::ffff:10.1.2.3"));

    public static readonly Gen<FlowKey> Flow =
        from name in Gen.Frequency((1, Gen.Constant<string?>(null)), (3, NameText.Select(n => (string?)n)))
        from destination in Address
        from port in Gen.Elements<ushort?>(null, 22, 53, 80, 443, 8080, 8443, 9000)
        from protocol in Gen.Elements(FlowProtocol.Tcp, FlowProtocol.Udp, FlowProtocol.Any)
        from source in Address
        select new FlowKey(name, destination, port, protocol, source);

    [Fact]
    public void Flow_match_is_the_most_specific_level_then_the_first_conditioned_rule_then_the_plain_one() =>
        Check.One(Generators.Config, Prop.ForAll((from rules in Rules from flow in Flow select (rules, flow)).ToArbitrary(), t =>
        {
            var (rules, flow) = t;
            var set = RuleSet.Build(rules);
            Assert.Equal(Reference(rules, flow), set.MatchFlow(flow)?.Rule);
        }));

    [Fact]
    public void Without_conditions_a_flow_matches_as_the_name_then_the_address() =>
        Check.One(Generators.Config, Prop.ForAll((from rules in Rules from flow in Flow select (rules, flow)).ToArbitrary(), t =>
        {
            var (rules, flow) = t;
            var set = RuleSet.Build(rules);
            var plain = RuleSet.Build(rules.Where(r => !r.HasConditions));
            var expected = (flow.Name is { } n ? plain.MatchName(n) : null) ?? (flow.Destination is { } a ? plain.MatchAddress(a) : null);
            Assert.Equal(expected?.Rule, plain.MatchFlow(flow)?.Rule);
            // The host planes' questions never see flow rules.
            if (flow.Name is { } name)
                Assert.Equal(plain.MatchName(name)?.Rule, set.MatchName(name)?.Rule);
            if (flow.Destination is { } address)
                Assert.Equal(plain.MatchAddress(address)?.Rule, set.MatchAddress(address)?.Rule);
        }));

    [Fact]
    public void Covers_and_overlaps_agree_with_matching_flows() =>
        Check.One(Generators.Config, Prop.ForAll((from a in Conditions from b in Conditions from flow in Flow select (a, b, flow)).ToArbitrary(), t =>
        {
            var (a, b, flow) = t;
            if (a.Matches(flow) && b.Matches(flow))
                Assert.True(a.Overlaps(b) && b.Overlaps(a));
            if (b.Covers(a) && a.Matches(flow))
                Assert.True(b.Matches(flow));
        }));

    [Fact]
    public void Narrower_conditions_are_tried_first_and_the_order_is_total() =>
        Check.One(Generators.Config, Prop.ForAll((from a in Conditions from b in Conditions select (a, b)).ToArbitrary(), t =>
        {
            var (a, b) = t;
            var order = RuleConditions.CompareSpecificity(a, b);
            Assert.Equal(-Math.Sign(order), Math.Sign(RuleConditions.CompareSpecificity(b, a)));
            Assert.Equal(a.Equals(b), order == 0);
            if (b.Covers(a) && !a.Covers(b))
                Assert.True(order < 0, $"{a} is inside {b} but ranks after it");
        }));

    [Fact]
    public void The_written_order_never_matters() =>
        Check.One(Generators.Config, Prop.ForAll((from rules in Rules from flow in Flow select (rules, flow)).ToArbitrary(), t =>
        {
            var (rules, flow) = t;
            var reversed = Enumerable.Reverse(rules).ToList();
            Assert.Equal(RuleSet.Build(rules).MatchFlow(flow)?.Rule, RuleSet.Build(reversed).MatchFlow(flow)?.Rule);
            Assert.Equal(RuleSet.Build(rules), RuleSet.Build(reversed));
        }));

    [Fact]
    public void Findings_never_throw_and_overlaps_are_real() =>
        Check.One(Generators.Config, Prop.ForAll(Rules.ToArbitrary(), rules =>
        {
            foreach (var finding in RuleSet.Build(rules).Findings())
            {
                Assert.NotEmpty(finding.Message);
                if (finding.Kind == FindingKind.Overlap)
                {
                    Assert.Equal(finding.Rule.Destination, finding.Other.Destination);
                    Assert.True(finding.Rule.Conditions.Overlaps(finding.Other.Conditions));
                    Assert.NotEqual(finding.Rule.Action, finding.Other.Action);
                }
            }
        }));

    /// <summary>The definition: every rule whose destination and conditions the flow meets, ranked
    /// by level (exact name, suffix by length, prefix by length, any), conditioned before plain,
    /// conditioned by <see cref="RuleConditions.CompareSpecificity"/>.</summary>
    private static Rule? Reference(List<Rule> rules, FlowKey flow)
    {
        DomainName? name = flow.Name is { } text ? DomainName.Parse(text) : null;
        return rules
            .Select(r => (Rule: r, Level: Level(r.Destination, name, flow.Destination)))
            .Where(c => c.Level is not null && c.Rule.Conditions.Matches(flow))
            .OrderBy(c => c.Level!.Value)
            .ThenBy(c => c.Rule.HasConditions ? 0 : 1)
            .ThenBy(c => c.Rule.Conditions, Comparer<RuleConditions>.Create(RuleConditions.CompareSpecificity))
            .Select(c => c.Rule)
            .FirstOrDefault();
    }

    /// <summary>Lower is more specific; null when the destination does not cover the flow.</summary>
    private static int? Level(Destination destination, DomainName? name, IPAddress? address) => destination switch
    {
        NameDestination n when name is { } x && x == n.Name => 0,
        DomainDestination d when name is { } x && x.IsSameOrSubdomainOf(d.Suffix) => 1000 - d.Suffix.LabelCount,
        CidrDestination c when address is not null && c.Network.Contains(address) => 2000 - c.Network.PrefixLength,
        AnyDestination => 3000,
        _ => null,
    };
}
