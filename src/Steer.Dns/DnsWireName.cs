namespace Steer.Dns;

/// <summary>
/// A name where it sits in a validated message, possibly compressed. Compares without allocating;
/// <see cref="ToDnsName"/> copies it out when it must outlive the message buffer.
/// </summary>
public readonly ref struct DnsWireName
{
    private readonly ReadOnlySpan<byte> _message;

    internal DnsWireName(ReadOnlySpan<byte> message, int offset)
    {
        _message = message;
        Offset = offset;
    }

    /// <summary>Offset of the name's first byte in the message.</summary>
    public int Offset { get; }

    /// <summary>Length uncompressed, root byte included.</summary>
    public int WireLength => WireName.UncompressedLength(_message, Offset);

    public bool IsRoot => new LabelCursor(_message, Offset).MoveNext(out _) == false;

    /// <summary>Case-insensitive equality (RFC 4343).</summary>
    public bool Matches(DnsName name) => WireName.Equal(_message, Offset, name.WireBytes, 0);

    /// <summary>Case-insensitive equality (RFC 4343); the other name may be in another message.</summary>
    public bool Matches(DnsWireName other) => WireName.Equal(_message, Offset, other._message, other.Offset);

    public DnsName ToDnsName() => DnsName.FromMessage(_message, Offset);

    public override string ToString() => ToDnsName().ToString();
}
