namespace Steer.Dns;

/// <summary>The codec's limits, named in one place. See docs/dns-codec.md for why each is what it is.</summary>
public static class DnsLimits
{
    /// <summary>Largest message: the 16-bit TCP length prefix (RFC 1035 §4.2.2).</summary>
    public const int MaxMessageLength = ushort.MaxValue;

    /// <summary>Longest name in wire form, length bytes and root included (RFC 1035 §2.3.4).</summary>
    public const int MaxNameLength = 255;

    /// <summary>Longest label (RFC 1035 §2.3.4).</summary>
    public const int MaxLabelLength = 63;

    /// <summary>
    /// Compression pointers followed while reading one name. Pointers must go strictly backward,
    /// so loops are impossible anyway; this bounds the work per name. A compressor that points at the
    /// longest earlier suffix makes one hop per level of nesting between names, which real messages
    /// keep to a handful.
    /// </summary>
    public const int MaxPointerHops = 32;

    /// <summary>Names followed along a CNAME chain before giving up (the chain is reported as cut short).</summary>
    public const int MaxChainNames = 16;

    /// <summary>The UDP size every DNS client accepts (RFC 1035 §4.2.1); a smaller EDNS size counts as this.</summary>
    public const int MinUdpPayloadSize = 512;
}
