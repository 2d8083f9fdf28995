using System.Collections;
using System.Diagnostics.CodeAnalysis;
using System.Net;

namespace Steer.Policy.Rules;

/// <summary>
/// The rules compiled for lookup, with the one precedence every plane uses:
/// for a name, an exact <c>name:</c> rule wins, else the longest matching <c>domain:</c> suffix;
/// for an address, the longest matching <c>cidr:</c> prefix. The order rules were written in never
/// matters — which is why two rules for one destination with different actions are refused.
/// </summary>
/// <remarks>
/// Rules with port, protocol or source conditions (flow rules, honoured by the proxy) live in a
/// side table (<see cref="ConditionedIndex"/>), built only when there are some: <see cref="MatchName"/>
/// and <see cref="MatchAddress"/> — the resolver's and the socket plane's questions, which have no
/// port or source — never see them. <see cref="MatchFlow"/> walks one chain of levels from the most
/// specific destination to the least (exact name, longer suffixes, longer prefixes, then any
/// destination); at each level the conditioned rules are tried first, narrowest first, then the
/// plain rule. See docs/rules.md.
/// </remarks>
/// <remarks>
/// Enumerates the distinct rules in the order first given. Two sets are equal when they hold the
/// same rules, in any order.
/// </remarks>
public sealed partial class RuleSet : IReadOnlyList<Rule>, IEquatable<RuleSet>
{
    // Plain name and suffix rules compact, rebuilt on demand (RuleTable): a million of them fit in
    // about a sixth of the memory their objects would take.
    private readonly RuleTable _rules;
    private readonly DomainTrie _names;
    private readonly PrefixTrie _ipv4 = new(AddressBits.IPv4Width);
    private readonly PrefixTrie _ipv6 = new(AddressBits.IPv6Width);
    private readonly Dictionary<Cidr, int> _networkRules = [];
    private readonly List<RuleFinding> _duplicates = [];
    private Rule[]? _canonicalOrder;
    // Null unless some rule has conditions.
    private readonly ConditionedIndex? _conditioned;

    public static RuleSet Empty { get; } = Build([]);

    private RuleSet(IEnumerable<Rule> rules, List<RuleFinding> conflicts, int expectedCount = 0)
    {
        // Rules may come streamed (a million from the state file are never all objects at once),
        // so the count is only a hint: the trie and the table grow by pages, without copying.
        if (!rules.TryGetNonEnumeratedCount(out var count))
            count = expectedCount;
        // Most names in big lists add one node, some add a parent too: size the edge table for that.
        _names = new DomainTrie(count + count / 4);
        var distinct = new RuleTable(_names);
        Dictionary<(Destination, RuleConditions), int>? conditioned = null;
        foreach (var rule in rules)
        {
            ArgumentNullException.ThrowIfNull(rule);
            if (rule.HasConditions || rule.Destination is AnyDestination)
            {
                if (!rule.HasConditions)
                    throw new ArgumentException($"{rule}: a rule without a destination needs a condition", nameof(rules));
                conditioned ??= [];
                ref var index = ref System.Runtime.InteropServices.CollectionsMarshal.GetValueRefOrAddDefault(conditioned, (rule.Destination, rule.Conditions), out var seen);
                if (!seen)
                {
                    // Kept whole by the table (a ConditionedRule is never stored compact).
                    index = distinct.Length;
                    distinct.Add(rule, DomainTrie.None);
                }
                else if (distinct[index].Action.Equals(rule.Action))
                    _duplicates.Add(new RuleFinding(FindingKind.Duplicate, rule, distinct[index]));
                else
                    conflicts.Add(new RuleFinding(FindingKind.Conflict, rule, distinct[index]));
                continue;
            }
            ref var slot = ref SlotFor(rule.Destination, out var node);
            if (slot == DomainTrie.None)
            {
                slot = distinct.Length;
                distinct.Add(rule, node);
                if (rule.Destination is CidrDestination { Network: var network })
                    (network.IsIPv6 ? _ipv6 : _ipv4).Add(network.Bits, network.PrefixLength, network);
            }
            else if (distinct[slot].Action.Equals(rule.Action))
                _duplicates.Add(new RuleFinding(FindingKind.Duplicate, rule, distinct[slot]));
            else
                conflicts.Add(new RuleFinding(FindingKind.Conflict, rule, distinct[slot]));
        }
        _rules = distinct;
        if (conditioned is not null)
            _conditioned = new ConditionedIndex(index => distinct[index], conditioned.Values);
    }

    /// <summary>Compiles rules; fails only on conflicts (one destination, two actions).</summary>
    /// <param name="conflicts">Every conflict, each naming both rules; empty on success.</param>
    public static bool TryBuild(IEnumerable<Rule> rules, [NotNullWhen(true)] out RuleSet? ruleSet, out IReadOnlyList<RuleFinding> conflicts) =>
        TryBuild(rules, 0, out ruleSet, out conflicts);

    /// <summary>As <see cref="TryBuild(IEnumerable{Rule}, out RuleSet?, out IReadOnlyList{RuleFinding})"/>,
    /// for rules streamed from a file: <paramref name="expectedCount"/>, a guess, sizes the name
    /// index once instead of growing it from nothing.</summary>
    public static bool TryBuild(IEnumerable<Rule> rules, int expectedCount, [NotNullWhen(true)] out RuleSet? ruleSet, out IReadOnlyList<RuleFinding> conflicts)
    {
        ArgumentNullException.ThrowIfNull(rules);
        var found = new List<RuleFinding>();
        var built = new RuleSet(rules, found, expectedCount);
        ruleSet = found.Count == 0 ? built : null;
        conflicts = found;
        return ruleSet is not null;
    }

    /// <exception cref="ArgumentException">Some destination has two actions; the message lists every conflict.</exception>
    public static RuleSet Build(IEnumerable<Rule> rules) =>
        TryBuild(rules, out var ruleSet, out var conflicts)
            ? ruleSet
            : throw new ArgumentException(string.Join('\n', conflicts.Select(c => c.Message)), nameof(rules));

    public int Count => _rules.Length;

    /// <summary>Rules given more than once with the same action (kept once; worth a warning).</summary>
    public IReadOnlyList<RuleFinding> Duplicates => _duplicates;

    public Rule this[int index] => _rules[index];

    /// <summary>
    /// The rule for a DNS name: its exact <c>name:</c> rule, else the longest <c>domain:</c> suffix.
    /// Expects the normalised (punycode) form; ASCII case and one trailing dot are ignored, so names
    /// straight from DNS messages work too. Allocates nothing.
    /// </summary>
    public RuleMatch? MatchName(ReadOnlySpan<char> name)
    {
        var (exact, suffix) = _names.Find(name);
        var index = exact != DomainTrie.None ? exact : suffix;
        return index == DomainTrie.None ? null : new RuleMatch(_rules.Shared(index), index);
    }

    /// <summary>The rule with the longest <c>cidr:</c> prefix containing the address
    /// (IPv4-mapped IPv6 counts as IPv4, as in <see cref="Cidr.Contains(IPAddress)"/>).</summary>
    public RuleMatch? MatchAddress(IPAddress address)
    {
        ArgumentNullException.ThrowIfNull(address);
        var (bits, isIPv6) = AddressBits.Read(address);
        return (isIPv6 ? _ipv6 : _ipv4).TryFindLongest(bits, out var network)
            ? new RuleMatch(_rules[_networkRules[network]], _networkRules[network])
            : null;
    }

    /// <summary>True when some rule has port, protocol or source conditions (flow rules: the proxy's only).</summary>
    public bool HasConditions => _conditioned is not null;

    /// <summary>True when some rule matches names (<c>domain:</c> or <c>name:</c>, with conditions or
    /// not): for the proxy, a flow without a name is then worth sniffing. Walks no rule.</summary>
    public bool HasNameRules => _names.NodeCount > 1 || (_conditioned?.Destinations.Any(d => d is DomainDestination or NameDestination) ?? false);

    /// <summary>
    /// The rule for a flow, with one precedence: the levels of its name (exact, then suffixes from the
    /// longest), then those of its address (prefixes from the longest), then any destination. At each
    /// level the first conditioned rule the flow meets wins, then the plain rule of that level.
    /// Without conditioned rules this is <see cref="MatchName"/>, else <see cref="MatchAddress"/>.
    /// </summary>
    public RuleMatch? MatchFlow(in FlowKey flow)
    {
        if (_conditioned is null)
            return (flow.Name is { } plainName ? MatchName(plainName) : null) ?? (flow.Destination is { } plainAddress ? MatchAddress(plainAddress) : null);
        if (flow.Name is { } name && MatchFlowName(name, flow, _conditioned) is { } byName)
            return byName;
        if (flow.Destination is { } address && MatchFlowAddress(address, flow, _conditioned) is { } byAddress)
            return byAddress;
        return First(_conditioned.Any, flow);
    }

    private RuleMatch? MatchFlowName(ReadOnlySpan<char> name, in FlowKey flow, ConditionedIndex conditioned)
    {
        if (name.EndsWith('.'))
            name = name[..^1];
        if (name.IsEmpty || name[0] == '.' || name.Contains("..", StringComparison.Ordinal))
            return null; // an empty label: no rule covers it (as in DomainTrie.Find)
        var (exact, suffix) = _names.Find(name);
        if (First(conditioned.Name(name), flow) is { } byExact)
            return byExact;
        if (exact != DomainTrie.None)
            return new RuleMatch(_rules.Shared(exact), exact);
        // The plain suffix rule is the deepest one: every longer suffix has conditioned rules only.
        var plainLength = suffix == DomainTrie.None ? -1 : _rules.Shared(suffix).Destination.Value.Length;
        for (var start = 0; ; )
        {
            var level = name[start..];
            if (First(conditioned.Domain(level), flow) is { } bySuffix)
                return bySuffix;
            if (level.Length == plainLength)
                return new RuleMatch(_rules.Shared(suffix), suffix);
            var dot = level.IndexOf('.');
            if (dot < 0)
                return null;
            start += dot + 1;
        }
    }

    private RuleMatch? MatchFlowAddress(System.Net.IPAddress address, in FlowKey flow, ConditionedIndex conditioned)
    {
        var (bits, isIPv6) = AddressBits.Read(address);
        var plainLength = (isIPv6 ? _ipv6 : _ipv4).TryFindLongest(bits, out var plain) ? plain.PrefixLength : -1;
        foreach (var length in isIPv6 ? conditioned.IPv6Lengths : conditioned.IPv4Lengths)
        {
            if (length < plainLength)
                break;
            if (First(conditioned.Network(Cidr.FromRaw(bits, isIPv6, length, out _)), flow) is { } byPrefix)
                return byPrefix;
        }
        return plainLength < 0 ? null : new RuleMatch(_rules[_networkRules[plain]], _networkRules[plain]);
    }

    private RuleMatch? First(int[] candidates, in FlowKey flow)
    {
        foreach (var index in candidates)
        {
            if (_rules[index].Conditions.Matches(flow))
                return new RuleMatch(_rules[index], index);
        }
        return null;
    }

    /// <summary>The <c>cidr:</c> rules with their indexes, in no set order: what the socket plane
    /// writes to the kernel, found without rebuilding every name rule on the way (see RuleTable).</summary>
    public IEnumerable<RuleMatch> NetworkRules() => _networkRules.Values.Select(index => new RuleMatch(_rules[index], index));

    /// <summary>Where the index of the rule for this destination lives; <see cref="DomainTrie.None"/> if free.</summary>
    private ref int SlotFor(Destination destination, out int node)
    {
        node = DomainTrie.None;
        switch (destination)
        {
            case DomainDestination domain:
                node = _names.GetOrAdd(domain.Suffix.Value);
                return ref _names.SuffixRule(node);
            case NameDestination name:
                node = _names.GetOrAdd(name.Name.Value);
                return ref _names.ExactRule(node);
            case CidrDestination cidr:
                ref var slot = ref System.Runtime.InteropServices.CollectionsMarshal.GetValueRefOrAddDefault(_networkRules, cidr.Network, out var exists);
                if (!exists)
                    slot = DomainTrie.None;
                return ref slot;
            default:
                throw new ArgumentException($"unknown destination {destination.GetType().Name}", nameof(destination));
        }
    }

    public IEnumerator<Rule> GetEnumerator() => _rules.All().GetEnumerator();

    IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();

    /// <summary>Sorted by kind and value, so that equality and canonical output ignore the written order.</summary>
    public IReadOnlyList<Rule> CanonicalOrder => _canonicalOrder ??= [.. _rules.All().Order(CanonicalRuleComparer.Instance)];

    public bool Equals(RuleSet? other) =>
        other is not null && (ReferenceEquals(this, other) || (Count == other.Count && CanonicalOrder.SequenceEqual(other.CanonicalOrder)));

    public override bool Equals(object? obj) => Equals(obj as RuleSet);

    public override int GetHashCode()
    {
        // Order-independent: XOR of the rules' hashes.
        var hash = Count;
        foreach (var rule in _rules.All())
            hash ^= rule.GetHashCode();
        return hash;
    }
}
