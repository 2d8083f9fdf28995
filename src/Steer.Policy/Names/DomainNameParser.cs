using System.Globalization;
using System.Net;
using System.Text;

namespace Steer.Policy.Names;

/// <summary>
/// Turns a name as a user writes it into the form rules compare (see <see cref="DomainName"/>),
/// or says precisely why it cannot be one.
/// </summary>
/// <remarks>
/// <para>Syntax: labels of letters, digits, '-' (not first or last) and '_' (service names such as
/// _sip._tcp), 1..63 characters each, 253 in all. Internationalised labels are encoded with
/// <see cref="IdnMapping"/>.</para>
/// <para>Steer runs with InvariantGlobalization, where IdnMapping still encodes and decodes punycode
/// (RFC 3492) but applies no UTS-46 mapping and string normalisation is a no-op. So the mapping
/// is done here, partially: case folding (Unicode simple lowercase), fullwidth ASCII and the
/// ideographic full stops mapped to ASCII. What a full UTS-46 mapping would change and this one
/// cannot is refused rather than silently encoded differently from what a browser sends:
/// compatibility characters (ligatures, roman numerals, circled digits), invisible formatting
/// characters, and a Latin letter followed by a combining accent (decomposed text; NFC would
/// compose it). 'ß' and final 'ς' are kept, as IDNA2008 and current browsers do. Any label can
/// also be written in its xn-- form, which is only checked to round-trip.</para>
/// </remarks>
internal static class DomainNameParser
{
    private const string AcePrefix = "xn--";
    private static readonly System.Buffers.SearchValues<char> DigitsAndDots = System.Buffers.SearchValues.Create("0123456789.");

    /// <returns>null on success, else the problem (without the input text, which the caller prefixes).</returns>
    public static string? TryNormalise(string text, out string? normalised)
    {
        normalised = null;
        if (text.Length == 0)
            return "empty domain name";
        if (IsAlreadyNormal(text))
        {
            // Most names in big rule lists: no copy, nothing allocated.
            normalised = text;
            return null;
        }
        var name = MapToAsciiPunctuation(text);
        var problem = CheckWholeName(name);
        if (problem is not null)
            return problem;
        if (name == ".")
            return "'.' alone is the DNS root, not a domain name";
        if (name[0] == '.')
            return $"starts with '.'; write '{name.TrimStart('.')}' (a domain rule already covers every subdomain)";

        var body = name.EndsWith('.') ? name[..^1] : name;
        var builder = new StringBuilder(body.Length);
        var start = 0;
        foreach (var range in body.AsSpan().Split('.'))
        {
            var (offset, length) = range.GetOffsetAndLength(body.Length);
            if (length == 0)
                return offset == body.Length ? "ends with two dots" : $"empty label at position {offset + 1} (two dots in a row)";
            problem = NormaliseLabel(body.Substring(offset, length), offset, out var label);
            if (problem is not null)
                return problem;
            if (builder.Length > 0)
                builder.Append('.');
            builder.Append(label);
            start = offset;
        }

        var result = builder.ToString();
        if (result.Length > DomainName.MaxLength)
            return $"is {result.Length} characters long{(result != body ? $" as sent in DNS ('{result}')" : "")}; the limit is {DomainName.MaxLength}";
        if (!body[start..].AsSpan().ContainsAnyExceptInRange('0', '9'))
            return $"the last label '{body[start..]}' is all digits, which no top-level domain is (for addresses, write a `cidr:` rule)";
        normalised = result;
        return null;
    }

    /// <summary>
    /// True for text that is valid and already in normal form with plain ASCII labels (no xn--). Anything
    /// else, valid or not, goes the long way, which also words the errors.
    /// </summary>
    private static bool IsAlreadyNormal(string text)
    {
        if (text.Length > DomainName.MaxLength)
            return false;
        var labelStart = 0;
        var allDigits = true;
        for (var i = 0; i <= text.Length; i++)
        {
            var c = i < text.Length ? text[i] : '.';
            if (c == '.')
            {
                var length = i - labelStart;
                if (length is 0 or > DomainName.MaxLabelLength || text[labelStart] == '-' || text[i - 1] == '-' ||
                    text.AsSpan(labelStart, length).StartsWith(AcePrefix))
                    return false;
                if (i == text.Length)
                    return !allDigits;
                labelStart = i + 1;
                allDigits = true;
                continue;
            }
            if (!IsLabelChar(c))
                return false;
            allDigits &= char.IsAsciiDigit(c);
        }
        return false;
    }

    /// <summary>
    /// Fullwidth ASCII (U+FF01..U+FF5E) and the ideographic full stops are what an East Asian input
    /// method produces for ASCII text; UTS-46 maps them to ASCII, and so do we, one character for one,
    /// which keeps positions in messages right.
    /// </summary>
    private static string MapToAsciiPunctuation(string text)
    {
        if (!text.AsSpan().ContainsAnyInRange('\u3002', '\uFF61'))
            return text;
        return string.Create(text.Length, text, static (span, source) =>
        {
            for (var i = 0; i < source.Length; i++)
            {
                var c = source[i];
                span[i] = c switch
                {
                    '\u3002' or '\uFF0E' or '\uFF61' => '.',
                    >= '\uFF01' and <= '\uFF5E' => (char)(c - 0xFEE0),
                    _ => c,
                };
            }
        });
    }

    /// <summary>Mistakes that concern the whole text: the hint depends on what it looks like.</summary>
    private static string? CheckWholeName(string name)
    {
        if (char.IsWhiteSpace(name[0]) || char.IsWhiteSpace(name[^1]))
            return "leading or trailing whitespace";
        for (var i = 0; i < name.Length; i++)
        {
            if (char.IsWhiteSpace(name[i]))
                return $"whitespace at position {i + 1} is not allowed in a domain name";
        }
        if (name.StartsWith("*.", StringComparison.Ordinal))
            return $"wildcards are not needed: a `domain:` rule for '{name[2..]}' already covers every subdomain " +
                   "(use `name:` to match one exact name only)";
        if (name.Contains('*'))
            return $"'*' at position {name.IndexOf('*') + 1}: wildcards are not supported; a `domain:` rule already covers every subdomain";
        if (name.Contains("://", StringComparison.Ordinal))
            return "this is a URL; write only its host name, e.g. 'example.com'";
        if (name.Contains(':'))
        {
            return IPAddress.TryParse(name, out _)
                ? "this is an IPv6 address, not a name; write a `cidr:` rule for addresses"
                : $"':' at position {name.IndexOf(':') + 1} is not allowed in a domain name (a port is not part of a name)";
        }
        if (name.Contains('/'))
            return $"'/' at position {name.IndexOf('/') + 1} is not allowed in a domain name (for a network, write a `cidr:` rule)";
        if (!name.AsSpan().ContainsAnyExcept(DigitsAndDots) && name.AsSpan().Count('.') == 3 && name.Length > 4)
            return "this is an IPv4 address, not a name; write a `cidr:` rule for addresses";
        return null;
    }

    /// <param name="offset">Where the label starts in the whole name, for positions in messages.</param>
    private static string? NormaliseLabel(string label, int offset, out string normalised)
    {
        normalised = label;
        var isAscii = Ascii.IsValid(label);
        var problem = isAscii ? CheckAsciiLabel(label, offset, out normalised) : EncodeUnicodeLabel(label, offset, refuseDecomposed: true, out normalised);
        if (problem is not null)
            return problem;
        // IdnMapping itself refuses an encoded label over 63 characters, so only ASCII labels get here too long.
        if (normalised.Length > DomainName.MaxLabelLength)
            return $"label '{label}' is {normalised.Length} characters long; the limit is {DomainName.MaxLabelLength}";
        if (normalised[0] == '-' || normalised[^1] == '-')
            return $"label '{label}' {(normalised[0] == '-' ? "starts" : "ends")} with '-', which a host name label cannot";
        return isAscii && normalised.StartsWith(AcePrefix, StringComparison.Ordinal) ? CheckAceLabel(normalised) : null;
    }

    private static string? CheckAsciiLabel(string label, int offset, out string lowered)
    {
        lowered = label.ToLowerInvariant();
        for (var i = 0; i < lowered.Length; i++)
        {
            var c = lowered[i];
            if (!IsLabelChar(c))
                return $"{Describe(c)} at position {offset + i + 1} is not allowed; a label has letters, digits, '-' and '_'";
        }
        return null;
    }

    private static bool IsLabelChar(char c) => c is (>= 'a' and <= 'z') or (>= '0' and <= '9') or '-' or '_';

    private static string Describe(char c) => c is > ' ' and < '\u007f' ? $"'{c}'" : $"character U+{(int)c:X4}";

    /// <summary>Maps a label with non-ASCII characters as far as we can without ICU, then encodes it.</summary>
    /// <param name="refuseDecomposed">False for the decoded form of an xn-- label: whoever wrote the
    /// encoded form chose the code points, so the decomposed-text heuristic must not second-guess it.</param>
    private static string? EncodeUnicodeLabel(string label, int offset, bool refuseDecomposed, out string ace)
    {
        ace = label;
        var mapped = new StringBuilder(label.Length);
        var span = label.AsSpan();
        for (var i = 0; i < span.Length;)
        {
            if (Rune.DecodeFromUtf16(span[i..], out var rune, out var consumed) != System.Buffers.OperationStatus.Done)
                return $"invalid UTF-16 (a lone surrogate) at position {offset + i + 1}";
            var problem = CheckRune(rune, i == 0, refuseDecomposed && i > 0 && char.IsAsciiLetter(span[i - 1]));
            if (problem is not null)
                return $"{problem} at position {offset + i + 1}";
            if (rune.IsAscii && !IsLabelChar((char)Rune.ToLowerInvariant(rune).Value))
                return $"{Describe((char)rune.Value)} at position {offset + i + 1} is not allowed; a label has letters, digits, '-' and '_'";
            mapped.Append(Rune.ToLowerInvariant(rune).ToString());
            i += consumed;
        }
        try
        {
            ace = new IdnMapping { AllowUnassigned = false, UseStd3AsciiRules = false }.GetAscii(mapped.ToString());
            return null;
        }
        catch (ArgumentException e)
        {
            return $"label '{label}' cannot be encoded as punycode ({e.Message.Split(" (Parameter")[0]})";
        }
    }

    private static string? CheckRune(Rune rune, bool first, bool afterAsciiLetter)
    {
        if (rune.IsAscii)
            return null;
        var show = $"'{rune}' (U+{rune.Value:X4})";
        if (rune.Value == 0xFFFD)
            return "the replacement character U+FFFD (the text was garbled by a wrong encoding)";
        if (rune.Value == 0x130)
            return $"{show} lowercases to 'i' with a combining dot above; write 'i' if that is meant, or the label's xn-- form";
        if (rune.Value is (>= 0xFB00 and <= 0xFB06) or (>= 0xFB13 and <= 0xFB17))
            return $"the ligature {show} is not mapped here; write its letters separately";
        switch (Rune.GetUnicodeCategory(rune))
        {
            case UnicodeCategory.UppercaseLetter or UnicodeCategory.TitlecaseLetter or UnicodeCategory.LowercaseLetter
                or UnicodeCategory.ModifierLetter or UnicodeCategory.OtherLetter or UnicodeCategory.DecimalDigitNumber
                or UnicodeCategory.OtherSymbol:
                return null;
            case UnicodeCategory.NonSpacingMark or UnicodeCategory.SpacingCombiningMark or UnicodeCategory.EnclosingMark:
                if (first)
                    return $"the combining mark {show} cannot start a label";
                return afterAsciiLetter && rune.Value is >= 0x300 and <= 0x36F
                    ? $"the combining accent {show} follows a plain letter: the text is decomposed; write the accented letter as one character, or the label's xn-- form"
                    : null;
            case UnicodeCategory.LetterNumber or UnicodeCategory.OtherNumber:
                return $"the compatibility character {show} is not mapped here; write the digits or letters it stands for";
            case UnicodeCategory.Format:
                return $"the invisible formatting character U+{rune.Value:X4} is not allowed (often left over from copy and paste)";
            case UnicodeCategory.Control or UnicodeCategory.PrivateUse or UnicodeCategory.OtherNotAssigned or UnicodeCategory.Surrogate:
                return $"character U+{rune.Value:X4} is not allowed in a domain name";
            default:
                return $"the punctuation or symbol {show} is not allowed in a domain name";
        }
    }

    /// <summary>
    /// An xn-- label must decode (RFC 3492), hold at least one non-ASCII character (RFC 5890), and be
    /// what we would produce from its decoded form — else two spellings of one name would not match.
    /// </summary>
    private static string? CheckAceLabel(string label)
    {
        string unicode;
        try
        {
            unicode = new IdnMapping { AllowUnassigned = false, UseStd3AsciiRules = false }.GetUnicode(label);
        }
        catch (ArgumentException)
        {
            return $"label '{label}' starts with 'xn--' but is not valid punycode";
        }
        if (unicode.Length == 0 || Ascii.IsValid(unicode))
            return $"label '{label}' starts with 'xn--' but is not valid punycode";
        var problem = EncodeUnicodeLabel(unicode, 0, refuseDecomposed: false, out var again);
        if (problem is not null)
            return $"label '{label}' decodes to '{Printable(unicode)}', which is not a valid name: {problem.Split(" at position")[0]}";
        if (again != label)
            return $"label '{label}' is not in normal form: it decodes to '{unicode}', which is written '{again}'";
        return null;
    }

    /// <summary>Decoded punycode can hold anything; messages must not carry control characters to a terminal.</summary>
    private static string Printable(string text) =>
        string.Concat(text.Select(c => char.IsControl(c) ? $"\\u{(int)c:x4}" : c.ToString()));
}
