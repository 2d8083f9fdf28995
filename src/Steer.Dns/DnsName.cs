namespace Steer.Dns;

/// <summary>
/// A domain name, normalised: held in uncompressed wire form with ASCII letters lowercased, so
/// equality is a byte comparison and is case-insensitive exactly as RFC 4343 asks (ASCII only).
/// </summary>
/// <remarks>
/// <para>Keeping the wire form, not text, means a label holding a dot or any other byte can never be
/// confused with a separator. Text appears only at the edges (<see cref="Parse"/>, <see cref="ToString"/>):
/// labels joined by '.', no trailing dot, the root is "". Inside a label '.' is written "\.", '\' is "\\",
/// and bytes outside 0x21..0x7E are "\DDD" (three decimal digits), as in RFC 1035 master files.</para>
/// <para><c>default(DnsName)</c> is the root.</para>
/// </remarks>
public readonly partial struct DnsName : IEquatable<DnsName>
{
    private static readonly byte[] RootBytes = [0];

    // Uncompressed wire form, lowercased, ending in the root byte. Null only for default (the root).
    private readonly byte[]? _wire;

    private DnsName(byte[] wire) => _wire = wire;

    public static DnsName Root => default;

    /// <summary>The name uncompressed, as length-prefixed labels ending in a zero byte; letters lowercased.</summary>
    public ReadOnlySpan<byte> WireBytes => _wire ?? RootBytes;

    /// <summary>Length uncompressed, root byte included (1 for the root, at most 255).</summary>
    public int WireLength => WireBytes.Length;

    public bool IsRoot => WireBytes.Length == 1;

    public int LabelCount
    {
        get
        {
            var count = 0;
            var cursor = new LabelCursor(WireBytes, 0);
            while (cursor.MoveNext(out _))
                count++;
            return count;
        }
    }

    /// <summary>True if this name equals <paramref name="parent"/> or lies below it
    /// ("www.example.com" is in "example.com" and in itself, not in "ample.com"). Every name is in the root.</summary>
    public bool IsSubdomainOf(DnsName parent)
    {
        var self = WireBytes;
        var tail = parent.WireBytes;
        if (tail.Length > self.Length)
            return false;
        // The suffix only counts if it starts at a label boundary.
        var position = 0;
        while (position < self.Length - tail.Length)
            position += self[position] + 1;
        return position == self.Length - tail.Length && self[position..].SequenceEqual(tail);
    }

    /// <summary>The name without its first label; the root's parent is the root.</summary>
    public DnsName Parent => IsRoot ? this : new DnsName(WireBytes[(WireBytes[0] + 1)..].ToArray());

    /// <summary>Reads a validated (possibly compressed) name out of a message.</summary>
    internal static DnsName FromMessage(ReadOnlySpan<byte> message, int offset)
    {
        Span<byte> buffer = stackalloc byte[DnsLimits.MaxNameLength];
        var length = WireName.CopyUncompressed(message, offset, buffer, lowercase: true);
        return length == 1 ? Root : new DnsName(buffer[..length].ToArray());
    }

    public bool Equals(DnsName other) => WireBytes.SequenceEqual(other.WireBytes);

    public override bool Equals(object? obj) => obj is DnsName other && Equals(other);

    public override int GetHashCode()
    {
        var hash = new HashCode();
        hash.AddBytes(WireBytes);
        return hash.ToHashCode();
    }

    public static bool operator ==(DnsName left, DnsName right) => left.Equals(right);

    public static bool operator !=(DnsName left, DnsName right) => !left.Equals(right);
}
