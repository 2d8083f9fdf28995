namespace Steer.Policy;

/// <summary>
/// Encoding for the BPF LPM trie that holds both families in one map: every key is 16 bytes of
/// IPv6, with IPv4 written as ::ffff:a.b.c.d. The datapath builds lookup keys the same way, so for
/// IPv4 a network matches exactly the addresses <see cref="Contains(System.Net.IPAddress)"/> accepts.
/// </summary>
public readonly partial record struct Cidr
{
    public const int KeyLength = 16;

    /// <summary>Significant leading bits of <see cref="WriteKey"/>: IPv4 is 96 + prefix, IPv6 is prefix.</summary>
    public int KeyPrefixLength => _isIPv6 ? _prefixLength : 96 + _prefixLength;

    /// <summary>Writes the network address as a 16-byte, network-order key.</summary>
    /// <exception cref="ArgumentException"><paramref name="destination"/> is shorter than 16 bytes.</exception>
    public void WriteKey(Span<byte> destination)
    {
        if (destination.Length < KeyLength)
            throw new ArgumentException($"a key needs {KeyLength} bytes, got {destination.Length}", nameof(destination));
        AddressBits.ToKeyBits(_bits, _isIPv6).WriteBigEndian(destination);
    }

    /// <summary>
    /// True for an IPv6 network wider than /96 that encloses ::ffff:0:0/96 (::/0 is the usual one).
    /// In the shared trie its key would also match IPv4 traffic, which <see cref="Contains(System.Net.IPAddress)"/>
    /// says it must not; whoever fills the map has to shadow it with an entry for ::ffff:0:0/96
    /// (the key of 0.0.0.0/0) that carries the IPv4 verdict.
    /// </summary>
    public bool KeyCoversIPv4 => _isIPv6 && MatchesPrefix(AddressBits.ToKeyBits(Bits128.Zero, isIPv6: false));
}
