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
    /// <remarks>
    /// A rule with conditions is compared with the other conditioned rules of its destination
    /// (<see cref="ConditionedFindings"/>) and with the plain rule it falls back to.
    /// </remarks>
    public IReadOnlyList<RuleFinding> Findings()
    {
        var findings = new List<RuleFinding>(Duplicates);
        if (_conditioned is not null)
            ConditionedFindings(_conditioned, findings);
        for (var i = 0; i < _rules.Length; i++)
        {
            var rule = _rules[i];
            if (rule.HasConditions)
                continue;
            var around = Around(rule.Destination, _rules.NodeOf(i));
            if (around is null)
                continue;
            var kind = around.Action.Equals(rule.Action) ? FindingKind.Redundant : FindingKind.Overrides;
            findings.Add(new RuleFinding(kind, rule, around));
        }
        return findings;
    }

    /// <summary>
    /// Within one destination, each pair of conditioned rules with different actions that some flow
    /// meets both of: the first tried overrides the other when the other's conditions cover its own
    /// (an exception carved out), else they overlap — a warning, since which one wins rests on the
    /// ranking, not on either rule being inside the other. Then each conditioned rule against the
    /// plain rule its flows fall back to: an override, or redundant when no rule tried after it at
    /// its level has another action and overlaps it (removing it would change nothing then).
    /// </summary>
    private void ConditionedFindings(ConditionedIndex conditioned, List<RuleFinding> findings)
    {
        foreach (var destination in conditioned.Destinations)
        {
            var level = conditioned.Of(destination);
            for (var a = 0; a < level.Length; a++)
            {
                var first = _rules[level[a]];
                var overlapped = false;
                for (var b = 0; b < level.Length; b++)
                {
                    var other = _rules[level[b]];
                    if (a == b || first.Action.Equals(other.Action) || !first.Conditions.Overlaps(other.Conditions))
                        continue;
                    if (b < a)
                        continue; // reported from the other side; and a rule tried before it does not make it matter
                    overlapped = true;
                    findings.Add(new RuleFinding(other.Conditions.Covers(first.Conditions) ? FindingKind.Overrides : FindingKind.Overlap, first, other));
                }
                if (PlainFallback(first.Destination) is not { } fallback)
                    continue;
                if (!first.Action.Equals(fallback.Action))
                    findings.Add(new RuleFinding(FindingKind.Overrides, first, fallback));
                else if (!overlapped)
                    findings.Add(new RuleFinding(FindingKind.Redundant, first, fallback));
            }
        }
    }

    /// <summary>The plain rule a conditioned rule's flows fall back to when they fail its
    /// conditions: the plain rule of the same destination, else the nearest wider one.</summary>
    private Rule? PlainFallback(Destination destination)
    {
        int index;
        switch (destination)
        {
            case NameDestination name:
                var (exact, suffix) = _names.Find(name.Value);
                index = exact != DomainTrie.None ? exact : suffix;
                break;
            case DomainDestination domain:
                index = _names.Find(domain.Value).SuffixRule;
                break;
            case CidrDestination { Network: var network }:
                if (_networkRules.TryGetValue(network, out var same))
                    return _rules[same];
                var trie = network.IsIPv6 ? _ipv6 : _ipv4;
                return trie.TryFindEnclosing(network.Bits, network.PrefixLength, out var enclosing) ? _rules[_networkRules[enclosing]] : null;
            default:
                return null;
        }
        return index == DomainTrie.None ? null : _rules[index];
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
