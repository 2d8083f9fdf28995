using System.Collections;
using System.Net;

namespace Steer.Policy;

/// <summary>
/// A set of networks from the command line or a file, in the order first given, without duplicates.
/// Membership is family-aware exactly like <see cref="Cidr.Contains(IPAddress)"/>.
/// </summary>
public sealed partial class CidrList : IReadOnlyList<Cidr>
{
    private readonly Cidr[] _items;
    private readonly PrefixTrie _ipv4 = new(AddressBits.IPv4Width);
    private readonly PrefixTrie _ipv6 = new(AddressBits.IPv6Width);

    public static CidrList Empty { get; } = new([]);

    /// <summary>Builds a list, dropping duplicates (after host bits are cleared) and keeping first-seen order.</summary>
    public CidrList(IEnumerable<Cidr> networks)
        : this(networks, [])
    {
    }

    private CidrList(IEnumerable<Cidr> networks, IReadOnlyList<string> warnings)
    {
        ArgumentNullException.ThrowIfNull(networks);
        _items = networks.Distinct().ToArray();
        Warnings = warnings;
        foreach (var network in _items)
        {
            (network.IsIPv6 ? _ipv6 : _ipv4).Add(network.Bits, network.PrefixLength, network);
        }
    }

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
}
