namespace Steer.Dns;

/// <summary>
/// Names as they sit in a message: validation with every limit, then allocation-free comparison and
/// copying of names that have already been validated.
/// </summary>
/// <remarks>
/// The rule that makes pointer handling simple: a pointer must land strictly before the start of the
/// stretch of labels it ends (the name itself, or the place the previous pointer led to). Segment starts
/// therefore strictly decrease, so no name can loop, whatever the bytes. Real compressors only ever
/// point at names written earlier, so nothing legitimate is lost.
/// </remarks>
internal static class WireName
{
    private const int HeaderSize = DnsHeader.Size;

    /// <summary>Checks the name at <paramref name="offset"/>.</summary>
    /// <param name="limit">Where the name's inline part must end: the message length, or the end of the RDATA it is in.</param>
    /// <param name="end">Offset just past the name's inline part (its labels up to the root or the first pointer).</param>
    /// <param name="wireLength">Length of the name uncompressed, root byte included.</param>
    public static DnsParseError Validate(ReadOnlySpan<byte> message, int offset, int limit, out int end, out int wireLength)
    {
        end = -1;
        wireLength = 0;
        var position = offset;
        var segmentStart = offset;
        var hops = 0;
        var length = 1; // the root byte
        while (true)
        {
            if (position >= limit)
                return Error(limit < message.Length ? DnsFormatError.NameExceedsRData : DnsFormatError.NameTruncated, position);
            var b = message[position];
            switch (b & 0xC0)
            {
                case 0x00:
                    if (b == 0)
                    {
                        if (end < 0)
                            end = position + 1;
                        wireLength = length;
                        return default;
                    }
                    length += b + 1;
                    if (length > DnsLimits.MaxNameLength)
                        return Error(DnsFormatError.NameTooLong, position);
                    if (position + 1 + b > limit)
                        return Error(limit < message.Length ? DnsFormatError.NameExceedsRData : DnsFormatError.NameTruncated, position);
                    position += 1 + b;
                    break;
                case 0xC0:
                    if (position + 1 >= limit)
                        return Error(limit < message.Length ? DnsFormatError.NameExceedsRData : DnsFormatError.NameTruncated, position);
                    var target = ((b & 0x3F) << 8) | message[position + 1];
                    if (end < 0)
                        end = position + 2;
                    if (++hops > DnsLimits.MaxPointerHops)
                        return Error(DnsFormatError.TooManyPointers, position);
                    if (target == position)
                        return Error(DnsFormatError.PointerToSelf, position);
                    if (target > position)
                        return Error(DnsFormatError.PointerForward, position);
                    if (target >= segmentStart)
                        return Error(DnsFormatError.PointerLoop, position);
                    if (target < HeaderSize)
                        return Error(DnsFormatError.PointerIntoHeader, position);
                    position = segmentStart = target;
                    // Once we have jumped, the labels may be anywhere earlier in the message.
                    limit = message.Length;
                    break;
                default:
                    return Error(DnsFormatError.InvalidLabelType, position);
            }
        }
    }

    /// <summary>Offset just past the inline part of a name already validated.</summary>
    public static int SkipValidated(ReadOnlySpan<byte> message, int offset)
    {
        while (true)
        {
            var b = message[offset];
            if (b == 0)
                return offset + 1;
            if ((b & 0xC0) == 0xC0)
                return offset + 2;
            offset += b + 1;
        }
    }

    /// <summary>Length of a validated name uncompressed, root byte included.</summary>
    public static int UncompressedLength(ReadOnlySpan<byte> message, int offset)
    {
        var length = 1;
        var cursor = new LabelCursor(message, offset);
        while (cursor.MoveNext(out var label))
            length += label.Length + 1;
        return length;
    }

    /// <summary>Case-insensitive (ASCII only, RFC 4343) equality of two validated names.</summary>
    public static bool Equal(ReadOnlySpan<byte> a, int aOffset, ReadOnlySpan<byte> b, int bOffset)
    {
        var left = new LabelCursor(a, aOffset);
        var right = new LabelCursor(b, bOffset);
        while (true)
        {
            var moreLeft = left.MoveNext(out var l);
            var moreRight = right.MoveNext(out var r);
            if (moreLeft != moreRight)
                return false;
            if (!moreLeft)
                return true;
            if (!LabelEquals(l, r))
                return false;
        }
    }

    public static bool LabelEquals(ReadOnlySpan<byte> a, ReadOnlySpan<byte> b)
    {
        if (a.Length != b.Length)
            return false;
        for (var i = 0; i < a.Length; i++)
        {
            if (a[i] != b[i] && Lower(a[i]) != Lower(b[i]))
                return false;
        }
        return true;
    }

    /// <summary>Writes the validated name uncompressed; returns the bytes written.</summary>
    public static int CopyUncompressed(ReadOnlySpan<byte> message, int offset, Span<byte> destination, bool lowercase)
    {
        var cursor = new LabelCursor(message, offset);
        var written = 0;
        while (cursor.MoveNext(out var label))
        {
            destination[written++] = (byte)label.Length;
            label.CopyTo(destination[written..]);
            if (lowercase)
                LowerInPlace(destination.Slice(written, label.Length));
            written += label.Length;
        }
        destination[written++] = 0;
        return written;
    }

    public static byte Lower(byte b) => b is >= (byte)'A' and <= (byte)'Z' ? (byte)(b | 0x20) : b;

    public static void LowerInPlace(Span<byte> bytes)
    {
        for (var i = 0; i < bytes.Length; i++)
            bytes[i] = Lower(bytes[i]);
    }

    private static DnsParseError Error(DnsFormatError reason, int offset) => new(reason, offset);
}

/// <summary>Walks the labels of a validated name, following pointers.</summary>
internal ref struct LabelCursor
{
    private readonly ReadOnlySpan<byte> _message;
    private int _position;

    public LabelCursor(ReadOnlySpan<byte> message, int offset)
    {
        _message = message;
        _position = offset;
    }

    /// <summary>The next label; false at the root.</summary>
    public bool MoveNext(out ReadOnlySpan<byte> label)
    {
        while (true)
        {
            var b = _message[_position];
            if ((b & 0xC0) == 0xC0)
            {
                _position = ((b & 0x3F) << 8) | _message[_position + 1];
                continue;
            }
            if (b == 0)
            {
                label = default;
                return false;
            }
            label = _message.Slice(_position + 1, b);
            _position += 1 + b;
            return true;
        }
    }
}
