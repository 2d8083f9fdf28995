using System.Net;
using System.Net.Sockets;

namespace Steer.Policy;

/// <summary>
/// An IPv4 or IPv6 network: a base address with all host bits cleared, and a prefix length.
/// </summary>
/// <remarks>
/// <para>Families are kept apart: an IPv6 network never contains an IPv4 address, and vice versa.
/// The one bridge is IPv4-mapped IPv6 (<c>::ffff:a.b.c.d</c>): such an address is matched against
/// IPv4 networks as <c>a.b.c.d</c>, because that is the IPv4 peer a dual-stack socket actually talks to.
/// For the same reason a network written inside <c>::ffff:0:0/96</c> (prefix 96 or longer) is an IPv4
/// network: <c>::ffff:10.0.0.0/104</c> is <c>10.0.0.0/8</c>.</para>
/// <para><c>default(Cidr)</c> is <c>0.0.0.0/0</c>, i.e. all of IPv4.</para>
/// </remarks>
public readonly partial record struct Cidr
{
    // IPv4 in the low 32 bits, IPv6 in all 128; host bits always clear. See AddressBits.
    private readonly Bits128 _bits;
    private readonly byte _prefixLength;
    private readonly bool _isIPv6;

    /// <summary>Builds a network, clearing host bits. IPv4-mapped IPv6 with prefix ≥ 96 becomes IPv4.</summary>
    /// <exception cref="ArgumentOutOfRangeException">Prefix length outside 0..32 (IPv4) or 0..128 (IPv6).</exception>
    /// <exception cref="ArgumentException">The address has an IPv6 zone (scope id), which no network has.</exception>
    public Cidr(IPAddress address, int prefixLength)
    {
        ArgumentNullException.ThrowIfNull(address);
        if (address.AddressFamily == AddressFamily.InterNetworkV6 && address.ScopeId != 0)
            throw new ArgumentException($"{address}: a network has no zone (scope id)", nameof(address));

        var (bits, isIPv6) = AddressBits.ReadRaw(address);
        ArgumentOutOfRangeException.ThrowIfNegative(prefixLength);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(prefixLength, AddressBits.Width(isIPv6));
        this = FromRaw(bits, isIPv6, prefixLength, out _);
    }

    /// <summary>
    /// The one place a network is formed from address bits as written (mapped IPv6 still IPv6)
    /// and a prefix length already checked against that family's width.
    /// </summary>
    internal static Cidr FromRaw(Bits128 bits, bool isIPv6, int prefixLength, out bool hostBitsWereSet)
    {
        // Inside ::ffff:0:0/96 the network only holds mapped addresses, which are matched as IPv4,
        // so it *is* an IPv4 network. A shorter prefix is a genuine IPv6 network and stays one.
        if (isIPv6 && prefixLength >= 96 && AddressBits.IsIPv4Mapped(bits))
            (bits, isIPv6, prefixLength) = ((uint)bits, false, prefixLength - 96);
        var cidr = new Cidr(bits, prefixLength, isIPv6);
        hostBitsWereSet = cidr._bits != bits;
        return cidr;
    }

    private Cidr(Bits128 bits, int prefixLength, bool isIPv6)
    {
        _bits = bits & AddressBits.Mask(prefixLength, AddressBits.Width(isIPv6));
        _prefixLength = (byte)prefixLength;
        _isIPv6 = isIPv6;
    }

    public AddressFamily Family => _isIPv6 ? AddressFamily.InterNetworkV6 : AddressFamily.InterNetwork;

    public bool IsIPv6 => _isIPv6;

    /// <summary>The base address, host bits cleared.</summary>
    public IPAddress Network => AddressBits.ToAddress(_bits, _isIPv6);

    public int PrefixLength => _prefixLength;

    /// <summary>Network bits as stored (IPv4 right-aligned), for the prefix trie.</summary>
    internal Bits128 Bits => _bits;

    /// <summary>True if the address lies in this network. Mapped IPv6 counts as IPv4 (see type remarks).
    /// An IPv6 zone id, if any, is ignored.</summary>
    public bool Contains(IPAddress address)
    {
        ArgumentNullException.ThrowIfNull(address);
        var (bits, isIPv6) = AddressBits.Read(address);
        return isIPv6 == _isIPv6 && MatchesPrefix(bits);
    }

    /// <summary>True if every address of <paramref name="other"/> lies in this network
    /// (same family, prefix no shorter, and the leading bits agree).</summary>
    public bool Contains(Cidr other) =>
        other._isIPv6 == _isIPv6 && other._prefixLength >= _prefixLength && MatchesPrefix(other._bits);

    private bool MatchesPrefix(Bits128 bits) =>
        (bits & AddressBits.Mask(_prefixLength, AddressBits.Width(_isIPv6))) == _bits;

    /// <summary>Canonical text: "10.0.0.0/8", "fd00::/8". Always parses back to an equal value.</summary>
    public override string ToString() => $"{Network}/{_prefixLength}";
}
