namespace Steer.Policy.Rules;

/// <summary>
/// The side table of rules with conditions, built only when some rule has one: per destination,
/// the indexes of its conditioned rules in the order they are tried
/// (<see cref="RuleConditions.CompareSpecificity"/>). The plain rules stay in the tries, so a set
/// without conditions costs nothing here and its lookups stay as they were.
/// </summary>
internal sealed class ConditionedIndex
{
    private readonly Dictionary<string, int[]> _names = new(StringComparer.OrdinalIgnoreCase);
    private readonly Dictionary<string, int[]> _domains = new(StringComparer.OrdinalIgnoreCase);
    private readonly Dictionary<Cidr, int[]> _networks = [];
    private readonly Dictionary<string, int[]>.AlternateLookup<ReadOnlySpan<char>> _namesBySpan;
    private readonly Dictionary<string, int[]>.AlternateLookup<ReadOnlySpan<char>> _domainsBySpan;

    /// <param name="rules">The rule at an index of the set.</param>
    /// <param name="conditioned">The indexes of the rules with conditions.</param>
    public ConditionedIndex(Func<int, Rule> rules, IEnumerable<int> conditioned)
    {
        var groups = new Dictionary<Destination, List<int>>();
        foreach (var index in conditioned)
        {
            var destination = rules(index).Destination;
            if (!groups.TryGetValue(destination, out var group))
                groups.Add(destination, group = []);
            group.Add(index);
        }
        Destinations = [.. groups.Keys];
        foreach (var (destination, group) in groups)
        {
            group.Sort((a, b) => RuleConditions.CompareSpecificity(rules(a).Conditions, rules(b).Conditions));
            int[] ordered = [.. group];
            switch (destination)
            {
                case NameDestination name:
                    _names.Add(name.Value, ordered);
                    break;
                case DomainDestination domain:
                    _domains.Add(domain.Value, ordered);
                    break;
                case CidrDestination { Network: var network }:
                    _networks.Add(network, ordered);
                    break;
                default:
                    Any = ordered;
                    break;
            }
        }
        IPv4Lengths = Lengths(false);
        IPv6Lengths = Lengths(true);
        _namesBySpan = _names.GetAlternateLookup<ReadOnlySpan<char>>();
        _domainsBySpan = _domains.GetAlternateLookup<ReadOnlySpan<char>>();
    }

    /// <summary>Every destination (<see cref="AnyDestination"/> included) that has conditioned rules.</summary>
    public IReadOnlyList<Destination> Destinations { get; }

    /// <summary>The conditioned rules without a destination, in order.</summary>
    public int[] Any { get; } = [];

    /// <summary>The prefix lengths of conditioned networks per family, longest first: a lookup
    /// masks the address once per length.</summary>
    public int[] IPv4Lengths { get; }

    public int[] IPv6Lengths { get; }

    public int[] Name(ReadOnlySpan<char> name) => _namesBySpan.TryGetValue(name, out var rules) ? rules : [];

    public int[] Domain(ReadOnlySpan<char> suffix) => _domainsBySpan.TryGetValue(suffix, out var rules) ? rules : [];

    public int[] Network(Cidr network) => _networks.TryGetValue(network, out var rules) ? rules : [];

    /// <summary>The conditioned rules of exactly this destination, in order.</summary>
    public int[] Of(Destination destination) => destination switch
    {
        NameDestination name => Name(name.Value),
        DomainDestination domain => Domain(domain.Value),
        CidrDestination cidr => Network(cidr.Network),
        _ => Any,
    };

    private int[] Lengths(bool ipv6) =>
        [.. _networks.Keys.Where(n => n.IsIPv6 == ipv6).Select(n => n.PrefixLength).Distinct().OrderDescending()];
}
