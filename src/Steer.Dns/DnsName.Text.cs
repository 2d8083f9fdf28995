using System.Text;

namespace Steer.Dns;

public readonly partial struct DnsName
{
    /// <summary>
    /// Parses presentation text: "www.example.com", with or without a trailing dot; "" or "." is the root.
    /// Escapes: "\." and "\\" (and "\X" for any other non-digit X) stand for X; "\DDD" for the byte DDD (0..255).
    /// Letters are lowercased. Non-ASCII text is refused: internationalised names must be given in
    /// their ASCII (xn--) form, which is what is on the wire. Never throws.
    /// </summary>
    public static bool TryParse(ReadOnlySpan<char> text, out DnsName name, out string? error)
    {
        name = Root;
        error = Parse(text, out var result);
        if (error is not null)
        {
            error = $"'{text}': {error}";
            return false;
        }
        name = result;
        return true;
    }

    /// <exception cref="FormatException">Not a valid name; the message says why.</exception>
    public static DnsName Parse(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        return TryParse(text, out var name, out var error) ? name : throw new FormatException(error);
    }

    private static string? Parse(ReadOnlySpan<char> text, out DnsName name)
    {
        name = Root;
        if (text.IsEmpty || text is ".")
            return null;
        const string tooLong = "name longer than 255 bytes in wire form";
        Span<byte> wire = stackalloc byte[DnsLimits.MaxNameLength + 2];
        var labelStart = 0; // where the current label's length byte goes
        var labelLength = 0;
        var written = 1;
        for (var i = 0; i < text.Length; i++)
        {
            var c = text[i];
            if (c == '.')
            {
                if (labelLength == 0)
                    return "empty label";
                wire[labelStart] = (byte)labelLength;
                if (i == text.Length - 1)
                {
                    labelStart = -1; // trailing dot: nothing follows but the root
                    break;
                }
                if (written >= DnsLimits.MaxNameLength)
                    return tooLong;
                labelStart = written++;
                labelLength = 0;
                continue;
            }
            var problem = ReadCharacter(text, ref i, out var value);
            if (problem is not null)
                return problem;
            if (labelLength == DnsLimits.MaxLabelLength)
                return $"label longer than {DnsLimits.MaxLabelLength} bytes";
            if (written >= DnsLimits.MaxNameLength)
                return tooLong;
            wire[written++] = WireName.Lower(value);
            labelLength++;
        }
        if (labelStart >= 0)
            wire[labelStart] = (byte)labelLength;
        if (written >= DnsLimits.MaxNameLength)
            return tooLong;
        wire[written++] = 0;
        name = new DnsName(wire[..written].ToArray());
        return null;
    }

    /// <summary>One label byte from text[i..], which may be an escape; leaves i on its last character.</summary>
    private static string? ReadCharacter(ReadOnlySpan<char> text, ref int i, out byte value)
    {
        value = 0;
        var c = text[i];
        if (c is < (char)0x21 or > (char)0x7E)
        {
            return c > (char)0x7E
                ? "non-ASCII character (give internationalised names in their xn-- form)"
                : "space or control character (write it as \\DDD)";
        }
        if (c != '\\')
        {
            value = (byte)c;
            return null;
        }
        if (i + 1 >= text.Length)
            return "'\\' at the end";
        if (!char.IsAsciiDigit(text[i + 1]))
        {
            c = text[++i];
            if (c is < (char)0x21 or > (char)0x7E)
                return "'\\' must be followed by a printable ASCII character or three digits";
            value = (byte)c;
            return null;
        }
        if (i + 3 >= text.Length || !char.IsAsciiDigit(text[i + 2]) || !char.IsAsciiDigit(text[i + 3]))
            return "'\\' followed by a digit needs exactly three digits (\\DDD)";
        var code = (text[i + 1] - '0') * 100 + (text[i + 2] - '0') * 10 + (text[i + 3] - '0');
        if (code > 255)
            return $"\\{code} is not a byte value";
        value = (byte)code;
        i += 3;
        return null;
    }

    /// <summary>The presentation text into <paramref name="destination"/> without allocating, when
    /// no byte of the name needs an escape (what rule matching takes: a name with an escaped byte
    /// matches no rule). False when some byte would be escaped or the text does not fit.</summary>
    public bool TryWritePlainText(Span<char> destination, out int written)
    {
        written = 0;
        var cursor = new LabelCursor(WireBytes, 0);
        while (cursor.MoveNext(out var label))
        {
            if (written > 0)
            {
                if (written == destination.Length)
                    return false;
                destination[written++] = '.';
            }
            if (label.Length > destination.Length - written)
                return false;
            foreach (var b in label)
            {
                if (b is (byte)'.' or (byte)'\\' or < 0x21 or > 0x7E)
                    return false;
                destination[written++] = (char)b;
            }
        }
        return true;
    }

    /// <summary>Presentation text (see type remarks); parses back to an equal name.</summary>
    public override string ToString()
    {
        if (IsRoot)
            return "";
        var text = new StringBuilder(WireLength);
        var cursor = new LabelCursor(WireBytes, 0);
        while (cursor.MoveNext(out var label))
        {
            if (text.Length > 0)
                text.Append('.');
            foreach (var b in label)
            {
                if (b is (byte)'.' or (byte)'\\')
                    text.Append('\\').Append((char)b);
                else if (b is < 0x21 or > 0x7E)
                    text.Append('\\').Append(b.ToString("D3", System.Globalization.CultureInfo.InvariantCulture));
                else
                    text.Append((char)b);
            }
        }
        return text.ToString();
    }
}
