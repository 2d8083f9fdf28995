using FsCheck;
using FsCheck.Fluent;
using Steer.Policy.Names;
using Steer.Policy.Rules;

namespace Steer.Policy.Tests.Rules;

/// <summary>
/// The compact storage behind a million rules (DomainTrie, RuleTable, PagedArray) gives back
/// exactly what it was given: names, rules with their actions and locations, matches.
/// </summary>
public class CompactStorageTests
{
    private static readonly Gen<string> Label = Gen.Frequency(
        (3, Gen.Elements("a", "b", "www", "com", "x-y", "_s", "xn--bcher-kva", "co", "uk")),
        (1, Gen.Elements('a', 'b', 'z', '0', '9', '-', '_').ArrayOf().Where(c => c.Length is > 0 and <= 63).Select(c => new string(c))));

    private static readonly Gen<string> NameText =
        Gen.Choose(1, 5).SelectMany(n => Label.ArrayOf(n)).Select(labels => string.Join('.', labels));

    [Fact]
    public void The_trie_gives_every_name_back_and_finds_it_in_any_case() =>
        Check.One(Generators.Config, Prop.ForAll(NameText.ListOf().ToArbitrary(), names =>
        {
            var trie = new DomainTrie();
            var nodes = names.Select(n => trie.GetOrAdd(n)).ToList();
            for (var i = 0; i < names.Count; i++)
            {
                Assert.Equal(names[i], trie.NameOf(nodes[i]));
                Assert.Equal(nodes[i], trie.GetOrAdd(names[i]));
                trie.SuffixRule(nodes[i]) = i;
            }
            // The deepest suffix rule of each name is its own (set last for repeated names).
            for (var i = 0; i < names.Count; i++)
            {
                var expected = names.LastIndexOf(names[i]);
                Assert.Equal(expected, trie.Find(names[i].ToUpperInvariant() + ".").SuffixRule);
                Assert.Equal(expected, trie.Find("deeper." + names[i]).SuffixRule);
            }
            var distinctNodes = names.SelectMany(Suffixes).Distinct().Count() + 1;
            Assert.Equal(distinctNodes, trie.NodeCount);
        }));

    [Fact]
    public void The_trie_holds_many_pages_of_nodes_and_labels()
    {
        // 200,000 nodes and ~2 MB of labels: several pages of each, and the bucket array rehashed.
        var trie = new DomainTrie();
        var nodes = new int[100_000];
        for (var i = 0; i < nodes.Length; i++)
            nodes[i] = trie.GetOrAdd($"n{i}-{new string('x', i % 60)}.p{i}.example");
        Assert.Equal(1 + 1 + 2 * nodes.Length, trie.NodeCount);
        for (var i = 0; i < nodes.Length; i++)
        {
            Assert.Equal($"n{i}-{new string('x', i % 60)}.p{i}.example", trie.NameOf(nodes[i]));
            trie.ExactRule(nodes[i]) = i;
        }
        for (var i = 0; i < nodes.Length; i += 7)
            Assert.Equal((i, DomainTrie.None), trie.Find($"N{i}-{new string('X', i % 60)}.P{i}.Example"));
        Assert.Equal((DomainTrie.None, DomainTrie.None), trie.Find("n1-x.p2.example"));
    }

    [Fact]
    public void A_label_the_trie_cannot_hold_is_refused()
    {
        var trie = new DomainTrie();
        Assert.Throws<ArgumentException>(() => trie.GetOrAdd("bücher.example"));
        Assert.Throws<ArgumentException>(() => trie.GetOrAdd("a..example"));
        Assert.Equal((DomainTrie.None, DomainTrie.None), trie.Find("bücher.example"));
    }

    [Fact]
    public void Rules_come_back_equal_with_their_locations() =>
        Check.One(Generators.Config, Prop.ForAll(NameText.ListOf().ToArbitrary(), Gen.Choose(0, 3).ToArbitrary(), (names, variant) =>
        {
            RuleAction[] actions = [new ViaAction("wg0"), RejectAction.Instance, new OutboundAction("corp"), new ViaAction("eth1")];
            var valid = names.Where(n => DomainName.TryParse(n, out _, out _)).ToList();
            var rules = valid.Select((n, i) =>
            {
                var name = DomainName.Parse(n);
                Destination destination = (i + variant) % 3 == 0 ? new NameDestination(name) : new DomainDestination(name);
                return new Rule(destination, actions[(i * variant) % actions.Length])
                {
                    Location = (i + variant) % 4 == 0 ? null : new SourceLocation((i % 2 == 0) ? "rules" : "steer.yaml", i + 1, variant + 1),
                };
            }).DistinctBy(r => r.Destination).ToList();
            var set = RuleSet.Build(rules);
            Assert.Equal(rules.Count, set.Count);
            for (var i = 0; i < rules.Count; i++)
            {
                Assert.Equal(rules[i], set[i]);
                Assert.Equal(rules[i].Location, set[i].Location);
                Assert.Equal(rules[i].Destination.GetType(), set[i].Destination.GetType());
            }
            Assert.Equal(rules, set.ToList());
        }));

    [Fact]
    public void Matching_a_name_allocates_nothing_once_its_rule_was_matched()
    {
        var set = RuleSet.Build(Enumerable.Range(0, 1000).Select(i =>
            new Rule(new DomainDestination(DomainName.Parse($"d{i}.example")), new ViaAction("wg0"))));
        var first = set.MatchName("www.d7.example");
        Assert.Same(first!.Value.Rule, set.MatchName("WWW.D7.example.")!.Value.Rule);
        var before = GC.GetAllocatedBytesForCurrentThread();
        for (var i = 0; i < 100; i++)
            _ = set.MatchName("a.www.d7.example");
        Assert.Equal(before, GC.GetAllocatedBytesForCurrentThread());
    }

    /// <summary>RuleTable rebuilds a plain rule from its destination, action and location alone.
    /// A property added to Rule must be kept by it too (or such rules kept whole): this fails
    /// until RuleTable has been looked at.</summary>
    [Fact]
    public void The_compact_form_knows_every_property_of_a_rule()
    {
        // Conditions (and HasConditions, Match, made from it) are those of a plain Rule: none.
        // A rule with some is a ConditionedRule, which RuleTable keeps whole.
        var properties = typeof(Rule).GetProperties().Select(p => p.Name).Order().ToList();
        Assert.Equal(["Action", "Conditions", "Destination", "HasConditions", "Location", "Match"], properties);
    }

    private static IEnumerable<string> Suffixes(string name)
    {
        for (var at = 0; at >= 0; at = name.IndexOf('.', at) is var dot and >= 0 ? dot + 1 : -1)
            yield return name[at..];
    }
}
