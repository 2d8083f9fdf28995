using System.Collections;
using System.Net;

namespace Steer.Policy;

/// <summary>
/// A set of networks from the command line or a file, in the order first given, without duplicates.
/// Membership is family-aware exactly like <see cref="Cidr.Contains(IPAddress)"/>.
/// </summary>
/// <remarks>
/// Built from arrays and spans, not <c>List&lt;Cidr&gt;</c> or LINQ: ReadyToRun cannot precompile
/// the framework's generic collections over a struct of ours, and `steer run` would JIT them at
/// every start. <see cref="AsSpan"/> is the allocation-free way to walk the list.
/// </remarks>
public sealed partial class CidrList : IReadOnlyList<Cidr>
{
    private readonly Cidr[] _items;
    private readonly PrefixTrie _ipv4 = new(AddressBits.IPv4Width);
    private readonly PrefixTrie _ipv6 = new(AddressBits.IPv6Width);

    public static CidrList Empty { get; } = Of([]);

    /// <summary>Builds a list, dropping duplicates (after host bits are cleared) and keeping first-seen order.</summary>
    public CidrList(IEnumerable<Cidr> networks)
        : this(ToArray(networks), [])
    {
    }

    private CidrList(ReadOnlySpan<Cidr> networks, IReadOnlyList<string> warnings)
    {
        var unique = new Cidr[networks.Length];
        int count = 0;
        foreach (var network in networks)
        {
            if ((network.IsIPv6 ? _ipv6 : _ipv4).Add(network.Bits, network.PrefixLength, network))
                unique[count++] = network;
        }
        _items = count == unique.Length ? unique : unique.AsSpan(0, count).ToArray();
        Warnings = warnings;
    }

    /// <summary>A list of these networks, duplicates dropped, first-seen order kept.</summary>
    public static CidrList Of(params ReadOnlySpan<Cidr> networks) => new(networks, []);

    /// <summary>This list followed by the networks of <paramref name="other"/> it lacks; the
    /// warnings of both.</summary>
    public CidrList Union(CidrList other)
    {
        ArgumentNullException.ThrowIfNull(other);
        var both = new Cidr[_items.Length + other._items.Length];
        _items.CopyTo(both, 0);
        other._items.CopyTo(both, _items.Length);
        IReadOnlyList<string> warnings = other.Warnings.Count == 0 ? Warnings : Warnings.Count == 0 ? other.Warnings : [.. Warnings, .. other.Warnings];
        return new CidrList(both, warnings);
    }

    /// <summary>The networks in order, without allocating.</summary>
    public ReadOnlySpan<Cidr> AsSpan() => _items;

    /// <summary>Things parsing accepted but a user should hear about (host bits that were cleared).</summary>
    public IReadOnlyList<string> Warnings { get; }

    public int Count => _items.Length;

    public Cidr this[int index] => _items[index];

    /// <summary>True if any network in the list contains the address.</summary>
    public bool Contains(IPAddress address) => TryFindLongestMatch(address, out _);

    /// <summary>The most specific network containing the address, for explaining a decision.</summary>
    public bool TryFindLongestMatch(IPAddress address, out Cidr network)
    {
        ArgumentNullException.ThrowIfNull(address);
        var (bits, isIPv6) = AddressBits.Read(address);
        return (isIPv6 ? _ipv6 : _ipv4).TryFindLongest(bits, out network);
    }

    public IEnumerator<Cidr> GetEnumerator() => ((IEnumerable<Cidr>)_items).GetEnumerator();

    IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();

    public override string ToString() => string.Join(",", _items);

    private static Cidr[] ToArray(IEnumerable<Cidr> networks)
    {
        ArgumentNullException.ThrowIfNull(networks);
        return networks is Cidr[] array ? array : [.. networks];
    }
}
