using System.Net;
using FsCheck;
using FsCheck.Fluent;
using Steer.Policy.Names;
using Steer.Policy.Rules;

namespace Steer.Policy.Tests.Rules;

/// <summary>The compiled lookups against the rule model's definition, evaluated by brute force.</summary>
public class RuleSetPropertyTests
{
    // Few labels, so random names and rules share suffixes often.
    private static readonly Gen<string> Label = Gen.Elements("a", "b", "example", "com", "x-y", "_s", "xn--bcher-kva");

    private static readonly Gen<string> NameText =
        Gen.Choose(1, 4).SelectMany(n => Label.ArrayOf(n)).Select(labels => string.Join('.', labels));

    private static readonly Gen<RuleAction> Action = Gen.Elements<RuleAction>(
        new ViaAction("wg0"), new ViaAction("eth1"), RejectAction.Instance, new OutboundAction("corp"));

    private static readonly Gen<Destination> AnyDestination = Gen.Frequency(
        (3, NameText.Select(n => (Destination)new DomainDestination(DomainName.Parse(n)))),
        (2, NameText.Select(n => (Destination)new NameDestination(DomainName.Parse(n)))),
        (3, Generators.AnyCidr.Select(c => (Destination)new CidrDestination(c))));

    private static readonly Gen<List<Rule>> Rules =
        Gen.Zip(AnyDestination, Action).Select(t => new Rule(t.Item1, t.Item2)).ListOf().Select(l => l.ToList());

    private static readonly Gen<List<Rule>> ConflictFreeRules =
        Rules.Select(rules => rules.DistinctBy(r => r.Destination).ToList());

    [Fact]
    public void Build_fails_exactly_when_a_destination_has_two_actions() =>
        Check.One(Generators.Config, Prop.ForAll(Rules.ToArbitrary(), rules =>
        {
            var conflicting = rules.GroupBy(r => r.Destination).Any(g => g.Select(r => r.Action).Distinct().Count() > 1);
            Assert.Equal(!conflicting, RuleSet.TryBuild(rules, out var set, out var conflicts));
            Assert.Equal(conflicting, conflicts.Count > 0);
            if (set is not null)
                Assert.Equal(rules.Distinct(), set);
        }));

    [Fact]
    public void Name_lookup_is_exact_name_else_longest_suffix() =>
        Check.One(Generators.Config, Prop.ForAll(
            (from rules in ConflictFreeRules from name in NameText select (rules, name)).ToArbitrary(),
            t =>
            {
                var (rules, text) = t;
                var name = DomainName.Parse(text);
                var expected =
                    rules.FirstOrDefault(r => r.Destination is NameDestination n && n.Name == name) ??
                    rules.Where(r => r.Destination is DomainDestination d && name.IsSameOrSubdomainOf(d.Suffix))
                        .MaxBy(r => ((DomainDestination)r.Destination).Suffix.LabelCount);
                var set = RuleSet.Build(rules);
                Assert.Equal(expected, set.MatchName(name.Value)?.Rule);
                Assert.Equal(expected, set.MatchName(name.Value.ToUpperInvariant() + ".")?.Rule);
            }));

    [Fact]
    public void Address_lookup_is_longest_containing_prefix() =>
        Check.One(Generators.Config, Prop.ForAll(
            (from rules in ConflictFreeRules
             let networks = rules.Select(r => r.Destination).OfType<CidrDestination>().Select(d => d.Network).ToList()
             from address in networks.Count == 0 ? Generators.AnyAddress : Gen.Elements<Cidr>(networks).SelectMany(Generators.Near)
             select (rules, address)).ToArbitrary(),
            t =>
            {
                var (rules, address) = t;
                var expected = rules
                    .Where(r => r.Destination is CidrDestination c && c.Network.Contains(address))
                    .MaxBy(r => ((CidrDestination)r.Destination).Network.PrefixLength);
                Assert.Equal(expected, RuleSet.Build(rules).MatchAddress(address)?.Rule);
            }));

    [Fact]
    public void Every_rule_inside_another_is_reported_against_the_nearest_one() =>
        Check.One(Generators.Config, Prop.ForAll(ConflictFreeRules.ToArbitrary(), rules =>
        {
            var set = RuleSet.Build(rules);
            var findings = set.Findings();
            Assert.All(findings, f => Assert.Equal(f.Kind == FindingKind.Redundant, f.Rule.Action.Equals(f.Other.Action)));
            foreach (var rule in set)
            {
                // Equal, not the same object: a set stores plain name rules compact and gives back a
                // new object each time (RuleTable). In a conflict-free set no two rules are equal.
                var nearest = set.Where(o => !o.Equals(rule) && Encloses(o.Destination, rule.Destination))
                    .MaxBy(o => Specificity(o.Destination));
                var reported = findings.SingleOrDefault(f => f.Rule.Equals(rule))?.Other;
                Assert.Equal(nearest, reported);
            }
        }));

    private static bool Encloses(Destination outer, Destination inner) => (outer, inner) switch
    {
        (DomainDestination o, DomainDestination i) => i.Suffix != o.Suffix && i.Suffix.IsSameOrSubdomainOf(o.Suffix),
        (DomainDestination o, NameDestination i) => i.Name.IsSameOrSubdomainOf(o.Suffix),
        (CidrDestination o, CidrDestination i) => o.Network.PrefixLength < i.Network.PrefixLength && o.Network.Contains(i.Network),
        _ => false,
    };

    private static int Specificity(Destination destination) => destination switch
    {
        DomainDestination d => d.Suffix.LabelCount,
        CidrDestination c => c.Network.PrefixLength,
        _ => int.MaxValue,
    };
}
