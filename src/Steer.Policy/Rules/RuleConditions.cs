using System.Numerics;
using System.Text;

namespace Steer.Policy.Rules;

/// <summary>
/// What a rule asks of a flow besides its destination: destination ports, a protocol, source
/// networks. Each narrows the rule ("example.com, port 443"); absent means any. Only the proxy
/// sees whole flows, so only the proxy honours rules with conditions — the socket, route and name
/// planes decide by address or name alone and skip them (see docs/rules.md).
/// </summary>
/// <remarks>
/// Kept canonical so that equal conditions are equal objects: ports merged and sorted
/// (<see cref="PortSet"/>), sources sorted with networks inside another source dropped.
/// </remarks>
public sealed class RuleConditions : IEquatable<RuleConditions>
{
    private readonly Cidr[] _sources;

    /// <summary>No condition: the rule matches every flow to its destination.</summary>
    public static RuleConditions None { get; } = new(null, FlowProtocol.Any, []);

    private RuleConditions(PortSet? ports, FlowProtocol protocol, Cidr[] sources)
    {
        Ports = ports;
        Protocol = protocol;
        _sources = sources;
        Count = (ports is null ? 0 : 1) + (protocol == FlowProtocol.Any ? 0 : 1) + (sources.Length == 0 ? 0 : 1);
        // Exact counts: with doubles 2^120 + 2^24 and 2^120 + 2^32 would tie. Per family, since the
        // two never meet: IPv6 first, then IPv4, so a list inside another always counts smaller.
        foreach (var source in sources)
        {
            var size = BigInteger.One << (AddressBits.Width(source.IsIPv6) - source.PrefixLength);
            if (source.IsIPv6)
                IPv6SourceSize += size;
            else
                IPv4SourceSize += size;
        }
    }

    /// <summary>Conditions from their parts; all absent gives <see cref="None"/>.</summary>
    public static RuleConditions Of(PortSet? ports = null, FlowProtocol protocol = FlowProtocol.Any, IEnumerable<Cidr>? sources = null)
    {
        var list = Normalise(sources ?? []);
        return ports is null && protocol == FlowProtocol.Any && list.Length == 0 ? None : new RuleConditions(ports, protocol, list);
    }

    /// <summary>Destination ports; null: any port.</summary>
    public PortSet? Ports { get; }

    /// <summary><see cref="FlowProtocol.Any"/>: TCP and UDP.</summary>
    public FlowProtocol Protocol { get; }

    /// <summary>Source networks, canonical order; empty: any source.</summary>
    public ReadOnlySpan<Cidr> Sources => _sources;

    public bool IsNone => Count == 0;

    /// <summary>How many kinds of condition are set (0-3): more ranks first within a destination.</summary>
    public int Count { get; }

    // Addresses covered by the sources, per family (0: none): the narrower ranks first.
    private BigInteger IPv6SourceSize { get; }

    private BigInteger IPv4SourceSize { get; }

    /// <summary>True when the flow meets every condition. An unknown port, protocol or source
    /// meets no condition on it.</summary>
    public bool Matches(in FlowKey flow)
    {
        if (Ports is not null && (flow.Port is not { } port || !Ports.Contains(port)))
            return false;
        if (Protocol != FlowProtocol.Any && flow.Protocol != Protocol)
            return false;
        if (_sources.Length == 0)
            return true;
        if (flow.Source is null)
            return false;
        foreach (var source in _sources)
        {
            if (source.Contains(flow.Source))
                return true;
        }
        return false;
    }

    /// <summary>True when some flow meets both sets of conditions.</summary>
    public bool Overlaps(RuleConditions other)
    {
        ArgumentNullException.ThrowIfNull(other);
        if (Ports is not null && other.Ports is not null && !Ports.Overlaps(other.Ports))
            return false;
        if (Protocol != FlowProtocol.Any && other.Protocol != FlowProtocol.Any && Protocol != other.Protocol)
            return false;
        if (_sources.Length == 0 || other._sources.Length == 0)
            return true;
        foreach (var a in _sources)
        {
            foreach (var b in other._sources)
            {
                if (a.Contains(b) || b.Contains(a))
                    return true;
            }
        }
        return false;
    }

    /// <summary>True when every flow that meets <paramref name="other"/> also meets these conditions.</summary>
    public bool Covers(RuleConditions other)
    {
        ArgumentNullException.ThrowIfNull(other);
        if (Ports is not null && (other.Ports is null || !Ports.Covers(other.Ports)))
            return false;
        if (Protocol != FlowProtocol.Any && other.Protocol != Protocol)
            return false;
        if (_sources.Length == 0)
            return true;
        if (other._sources.Length == 0)
            return false;
        foreach (var inner in other._sources)
        {
            if (!Array.Exists(_sources, outer => outer.Contains(inner)))
                return false;
        }
        return true;
    }

    /// <summary>
    /// The order rules of one destination are tried in: more kinds of condition first (source,
    /// then port, then protocol, when the counts tie), then the narrower source, then the fewer
    /// ports; last the canonical text, so the order
    /// never depends on how rules were written. Conditions that cover strictly fewer flows always
    /// come first (each key is monotonic in the covered set), so an exception carved out of a
    /// wider conditioned rule is always tried before it.
    /// </summary>
    public static int CompareSpecificity(RuleConditions a, RuleConditions b)
    {
        ArgumentNullException.ThrowIfNull(a);
        ArgumentNullException.ThrowIfNull(b);
        if (ReferenceEquals(a, b))
            return 0;
        var order = b.Count.CompareTo(a.Count);
        // As many kinds but not the same ones: a source condition before ports, ports before a protocol.
        if (order == 0)
            order = (b._sources.Length > 0).CompareTo(a._sources.Length > 0);
        if (order == 0)
            order = (b.Ports is not null).CompareTo(a.Ports is not null);
        // The same kinds: the narrower first.
        if (order == 0 && a._sources.Length > 0)
            order = a.IPv6SourceSize.CompareTo(b.IPv6SourceSize);
        if (order == 0 && a._sources.Length > 0)
            order = a.IPv4SourceSize.CompareTo(b.IPv4SourceSize);
        if (order == 0 && a.Ports is not null)
            order = a.Ports!.Count.CompareTo(b.Ports!.Count);
        return order != 0 ? order : string.CompareOrdinal(a.ToString(), b.ToString());
    }

    /// <summary>"port 443, protocol tcp, source 10.0.0.0/8": explanations and reports.</summary>
    public override string ToString()
    {
        if (IsNone)
            return "";
        var text = new StringBuilder();
        if (Ports is not null)
            text.Append("port ").Append(Ports);
        if (Protocol != FlowProtocol.Any)
            text.Append(text.Length > 0 ? ", " : "").Append("protocol ").Append(ProtocolText(Protocol));
        if (_sources.Length > 0)
            text.Append(text.Length > 0 ? ", " : "").Append("source ").AppendJoin(',', _sources);
        return text.ToString();
    }

    public static string ProtocolText(FlowProtocol protocol) => protocol switch
    {
        FlowProtocol.Tcp => "tcp",
        FlowProtocol.Udp => "udp",
        _ => "any",
    };

    public bool Equals(RuleConditions? other) =>
        other is not null && (ReferenceEquals(this, other) ||
            (Equals(Ports, other.Ports) && Protocol == other.Protocol && _sources.AsSpan().SequenceEqual(other._sources)));

    public override bool Equals(object? obj) => Equals(obj as RuleConditions);

    public override int GetHashCode()
    {
        var hash = new HashCode();
        hash.Add(Ports);
        hash.Add(Protocol);
        foreach (var source in _sources)
            hash.Add(source);
        return hash.ToHashCode();
    }

    /// <summary>Sorted (IPv4 first, by address, then prefix), duplicates and networks inside
    /// another one of the list dropped: they add no address.</summary>
    private static Cidr[] Normalise(IEnumerable<Cidr> sources)
    {
        var all = sources.Distinct().ToList();
        all.RemoveAll(inner => all.Exists(outer => outer != inner && outer.Contains(inner)));
        all.Sort(CompareNetworks);
        return [.. all];
    }

    internal static int CompareNetworks(Cidr a, Cidr b)
    {
        var order = a.IsIPv6.CompareTo(b.IsIPv6);
        if (order == 0)
            order = a.Bits.CompareTo(b.Bits);
        return order != 0 ? order : a.PrefixLength.CompareTo(b.PrefixLength);
    }
}
