using Steer.Linux.Bpf;
using Steer.Policy;

namespace Steer.Linux.SocketPlane;

/// <summary>
/// The host programs' CIDR rules: one LPM trie per family, consulted when an address has no
/// decision of its own. Replaced as a whole whenever the rules change.
/// </summary>
public sealed class CidrRuleMap : IDisposable
{
    private readonly BpfMap _ipv4;
    private readonly BpfMap _ipv6;

    internal CidrRuleMap(BpfMap ipv4, BpfMap ipv6)
    {
        _ipv4 = ipv4;
        _ipv6 = ipv6;
    }

    /// <summary>Makes the map hold exactly <paramref name="rules"/>: new and changed entries are
    /// written first, stale ones removed after, so no address is ever without its rule between.</summary>
    public unsafe void Replace(IReadOnlyList<(Cidr Network, int InterfaceIndex, uint Rule)> rules)
    {
        ArgumentNullException.ThrowIfNull(rules);
        var keep4 = new HashSet<(uint, uint)>();
        var keep6 = new HashSet<(uint, UInt128)>();
        Span<byte> key16 = stackalloc byte[16];
        foreach (var (network, ifindex, rule) in rules)
        {
            var value = new SteerDecision { Ifindex = (uint)ifindex, Rule = rule };
            network.WriteKey(key16);
            if (network.IsIPv6)
            {
                var key = new SteerCidrKey { PrefixLength = (uint)network.PrefixLength };
                key16.CopyTo(new Span<byte>(key.Address, 16));
                _ipv6.Update(key, value);
                keep6.Add(((uint)network.PrefixLength, System.Buffers.Binary.BinaryPrimitives.ReadUInt128BigEndian(key16)));
            }
            else
            {
                var key = new SteerCidr4Key { PrefixLength = (uint)network.PrefixLength };
                key16[12..].CopyTo(new Span<byte>(key.Address, 4));
                _ipv4.Update(key, value);
                keep4.Add(((uint)network.PrefixLength, System.Buffers.Binary.BinaryPrimitives.ReadUInt32BigEndian(key16[12..])));
            }
        }
        foreach (var key in _ipv4.Keys<SteerCidr4Key>())
            if (!keep4.Contains((key.PrefixLength, System.Buffers.Binary.BinaryPrimitives.ReadUInt32BigEndian(new ReadOnlySpan<byte>(key.Address, 4)))))
                _ipv4.Delete(key);
        foreach (var key in _ipv6.Keys<SteerCidrKey>())
            if (!keep6.Contains((key.PrefixLength, System.Buffers.Binary.BinaryPrimitives.ReadUInt128BigEndian(new ReadOnlySpan<byte>(key.Address, 16)))))
                _ipv6.Delete(key);
    }

    public int Count => _ipv4.Keys<SteerCidr4Key>().Count + _ipv6.Keys<SteerCidrKey>().Count;

    public void Dispose()
    {
        _ipv4.Dispose();
        _ipv6.Dispose();
    }
}
