namespace Steer.Policy.Rules;

/// <summary>
/// The fixed order of canonical output: domains, then names, then networks (IPv4 before IPv6,
/// then by address and prefix), then rules without a destination, each by value; then by
/// conditions (none first); ties by action text. Ordinal, culture-free.
/// </summary>
internal sealed class CanonicalRuleComparer : IComparer<Rule>
{
    public static CanonicalRuleComparer Instance { get; } = new();

    public int Compare(Rule? x, Rule? y)
    {
        if (ReferenceEquals(x, y))
            return 0;
        if (x is null || y is null)
            return x is null ? -1 : 1;
        var byKind = Rank(x.Destination).CompareTo(Rank(y.Destination));
        if (byKind != 0)
            return byKind;
        var byValue = (x.Destination, y.Destination) is (CidrDestination a, CidrDestination b)
            ? CompareNetworks(a.Network, b.Network)
            : string.CompareOrdinal(x.Destination.Value, y.Destination.Value);
        if (byValue == 0 && (x.HasConditions || y.HasConditions))
            byValue = string.CompareOrdinal(x.Conditions.ToString(), y.Conditions.ToString());
        return byValue != 0 ? byValue : string.CompareOrdinal(x.Action.ToString(), y.Action.ToString());
    }

    private static int Rank(Destination destination) => destination switch
    {
        DomainDestination => 0,
        NameDestination => 1,
        CidrDestination => 2,
        _ => 3,
    };

    private static int CompareNetworks(Cidr a, Cidr b)
    {
        var byFamily = a.IsIPv6.CompareTo(b.IsIPv6);
        if (byFamily != 0)
            return byFamily;
        var byBits = a.Bits.CompareTo(b.Bits);
        return byBits != 0 ? byBits : a.PrefixLength.CompareTo(b.PrefixLength);
    }
}
