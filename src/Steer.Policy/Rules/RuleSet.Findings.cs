namespace Steer.Policy.Rules;

public sealed partial class RuleSet
{
    /// <summary>
    /// How the rules relate, for <c>steer rule list</c>: duplicates (warnings), and every rule that
    /// sits inside a wider one — an exact name under a suffix, a suffix under a shorter suffix, a
    /// network inside a shorter prefix — as an override (other action) or as redundant (same action).
    /// Each rule is compared with the nearest rule around it only. Conflicts never get here: a set
    /// with conflicts is not built.
    /// </summary>
    public IReadOnlyList<RuleFinding> Findings()
    {
        var findings = new List<RuleFinding>(Duplicates);
        for (var i = 0; i < _rules.Length; i++)
        {
            var rule = _rules[i];
            var around = Around(rule.Destination, _rules.NodeOf(i));
            if (around is null)
                continue;
            var kind = around.Action.Equals(rule.Action) ? FindingKind.Redundant : FindingKind.Overrides;
            findings.Add(new RuleFinding(kind, rule, around));
        }
        return findings;
    }

    /// <summary>The nearest wider rule a destination lies inside, if any.</summary>
    private Rule? Around(Destination destination, int node)
    {
        int index;
        switch (destination)
        {
            case NameDestination:
                // A suffix rule for the same name also covers it (example.com is under example.com).
                index = _names.SuffixRule(node) != DomainTrie.None ? _names.SuffixRule(node) : _names.NearestSuffixRuleAbove(node);
                break;
            case DomainDestination:
                index = _names.NearestSuffixRuleAbove(node);
                break;
            case CidrDestination { Network: var network }:
                var trie = network.IsIPv6 ? _ipv6 : _ipv4;
                return trie.TryFindEnclosing(network.Bits, network.PrefixLength, out var enclosing)
                    ? _rules[_networkRules[enclosing]]
                    : null;
            default:
                return null;
        }
        return index == DomainTrie.None ? null : _rules[index];
    }
}
