namespace Steer.Dns;

/// <summary>
/// The shape of RDATA for the types whose RDATA holds domain names a sender may have compressed.
/// One layout drives both jobs: validating such RDATA, and expanding its names so the bytes stand on
/// their own outside the message they came in. Every other type is opaque.
/// </summary>
/// <remarks>
/// RFC 3597 §4: names may be compressed in the RDATA of the RFC 1035 types (CNAME, MB, MD, MF, MG,
/// MINFO, MR, MX, NS, PTR, SOA), and receivers should also expect it in RP, AFSDB, RT, PX, NAPTR and
/// SRV. DNAME (RFC 6672 §2.5) forbids it but is expanded too, for safety. SIG and NXT are obsolete
/// (RFC 3755) and stay opaque. Layout letters: N a name, S a character-string, h 16 bits, w 32 bits.
/// </remarks>
internal static class RDataLayout
{
    public static string? For(DnsType type) => type switch
    {
        DnsType.CNAME or DnsType.NS or DnsType.PTR or DnsType.DNAME
            or DnsType.MB or DnsType.MD or DnsType.MF or DnsType.MG or DnsType.MR => "N",
        DnsType.MX or DnsType.AFSDB or DnsType.RT => "hN",
        DnsType.MINFO or DnsType.RP => "NN",
        DnsType.SOA => "NNwwwww",
        DnsType.SRV => "hhhN",
        DnsType.PX => "hNN",
        DnsType.NAPTR => "hhSSSN",
        _ => null,
    };

    /// <summary>RFC 3597 §4: only the RFC 1035 types may be compressed when written.</summary>
    public static bool MayCompress(DnsType type) => type is DnsType.CNAME or DnsType.NS or DnsType.PTR
        or DnsType.MX or DnsType.SOA or DnsType.MB or DnsType.MD or DnsType.MF or DnsType.MG
        or DnsType.MR or DnsType.MINFO;

    /// <summary>Checks RDATA at [start, end) against its layout; also computes its length with names expanded.</summary>
    public static DnsParseError Validate(ReadOnlySpan<byte> message, int start, int end, string layout, out int expandedLength)
    {
        expandedLength = 0;
        var position = start;
        foreach (var field in layout)
        {
            switch (field)
            {
                case 'N':
                    var error = WireName.Validate(message, position, end, out var nameEnd, out var nameLength);
                    if (error.IsError)
                        return error;
                    expandedLength += nameLength;
                    position = nameEnd;
                    break;
                case 'S':
                    if (position >= end || position + 1 + message[position] > end)
                        return new DnsParseError(DnsFormatError.BadRDataLength, position);
                    expandedLength += 1 + message[position];
                    position += 1 + message[position];
                    break;
                default:
                    var size = field == 'h' ? 2 : 4;
                    if (position + size > end)
                        return new DnsParseError(DnsFormatError.BadRDataLength, position);
                    expandedLength += size;
                    position += size;
                    break;
            }
        }
        return position == end ? default : new DnsParseError(DnsFormatError.BadRDataLength, position);
    }

    /// <summary>True if RDATA standing alone fits its layout with every name spelt out (no pointers).</summary>
    public static bool IsSelfContained(ReadOnlySpan<byte> rdata, string layout)
    {
        var position = 0;
        foreach (var field in layout)
        {
            if (field == 'N')
            {
                var start = position;
                while (position < rdata.Length && rdata[position] is > 0 and <= DnsLimits.MaxLabelLength)
                    position += rdata[position] + 1;
                if (position >= rdata.Length || rdata[position] != 0 || position + 1 - start > DnsLimits.MaxNameLength)
                    return false;
                position++;
                continue;
            }
            var size = field switch { 'h' => 2, 'w' => 4, _ => position < rdata.Length ? 1 + rdata[position] : 1 };
            position += size;
            if (position > rdata.Length)
                return false;
        }
        return position == rdata.Length;
    }

    /// <summary>Copies validated RDATA with every name uncompressed (case kept); returns bytes written.</summary>
    public static int Expand(ReadOnlySpan<byte> message, int start, string layout, Span<byte> destination)
    {
        var position = start;
        var written = 0;
        foreach (var field in layout)
        {
            switch (field)
            {
                case 'N':
                    written += WireName.CopyUncompressed(message, position, destination[written..], lowercase: false);
                    position = WireName.SkipValidated(message, position);
                    break;
                default:
                    var size = field switch { 'h' => 2, 'w' => 4, _ => 1 + message[position] };
                    message.Slice(position, size).CopyTo(destination[written..]);
                    written += size;
                    position += size;
                    break;
            }
        }
        return written;
    }
}
