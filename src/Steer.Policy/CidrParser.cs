using System.Net;
using System.Net.Sockets;

namespace Steer.Policy;

/// <summary>
/// Strict CIDR grammar. The runtime's IPAddress parser is deliberately lenient for IPv4
/// ("10.1" is 10.0.0.1, "010.0.0.1" may be octal, zone ids pass), and every leniency is a way
/// for a rule to match something the user did not write — so IPv4 is parsed here by hand and
/// IPv6 is pre-screened before the runtime sees it.
/// </summary>
internal static class CidrParser
{
    /// <returns>null on success, else the problem (without the input text, which the caller prefixes).</returns>
    public static string? TryParse(ReadOnlySpan<char> text, out Cidr cidr, out bool hostBitsWereSet)
    {
        cidr = default;
        hostBitsWereSet = false;
        if (text.IsEmpty)
            return "empty";
        if (char.IsWhiteSpace(text[0]) || char.IsWhiteSpace(text[^1]))
            return "leading or trailing whitespace";

        var slash = text.IndexOf('/');
        var addressText = slash < 0 ? text : text[..slash];
        var problem = TryParseAddress(addressText, suggestCompletion: slash < 0, out var bits, out var isIPv6);
        if (problem is not null)
            return problem;

        var width = AddressBits.Width(isIPv6);
        var prefixLength = width;
        if (slash >= 0)
        {
            problem = TryParsePrefixLength(text[(slash + 1)..], width, isIPv6 ? "IPv6" : "IPv4", out prefixLength);
            if (problem is not null)
                return problem;
        }
        cidr = Cidr.FromRaw(bits, isIPv6, prefixLength, out hostBitsWereSet);
        return null;
    }

    private static string? TryParseAddress(ReadOnlySpan<char> text, bool suggestCompletion, out Bits128 bits, out bool isIPv6)
    {
        bits = Bits128.Zero;
        isIPv6 = false;
        if (text.IsEmpty)
            return "missing address before '/'";
        if (text.Contains(':'))
        {
            isIPv6 = true;
            return TryParseIPv6(text, out bits);
        }
        var problem = TryParseIPv4(text, suggestCompletion, out var v4);
        bits = v4;
        return problem;
    }

    /// <param name="suggestCompletion">Only for a bare address: with an explicit prefix, or as an IPv6 tail,
    /// the "obvious" completion is not obvious.</param>
    private static string? TryParseIPv4(ReadOnlySpan<char> text, bool suggestCompletion, out uint value)
    {
        value = 0;
        var octets = 0;
        foreach (var range in text.Split('.'))
        {
            var part = text[range];
            if (++octets > 4)
                return $"IPv4 address '{text}' has more than four dotted parts";
            var problem = TryParseOctet(part, out var octet);
            if (problem is not null)
                return problem;
            value = (value << 8) | octet;
        }
        if (octets < 4)
        {
            // The tool Steer replaces matched "192.168.1" as a text prefix, which also hits 192.168.10.x.
            // Say what a real network looks like rather than guess.
            var padded = text.ToString() + string.Concat(Enumerable.Repeat(".0", 4 - octets));
            var hint = suggestCompletion ? $"; did you mean {padded}/{8 * octets}?" : "";
            return $"IPv4 address '{text}' has {octets} dotted part{(octets == 1 ? "" : "s")}, not 4 " +
                   $"(no implicit completion{hint})";
        }
        return null;
    }

    private static string? TryParseOctet(ReadOnlySpan<char> part, out uint octet)
    {
        octet = 0;
        if (part.IsEmpty)
            return "empty part in IPv4 address";
        foreach (var c in part)
        {
            if (c is < '0' or > '9')
                return c == '%' ? "zone ids are not allowed in a network" : $"unexpected character '{c}' in address";
        }
        // inet_aton reads "010" as octal 8; refusing beats silently picking one reading.
        if (part.Length > 1 && part[0] == '0')
            return $"IPv4 part '{part}' has a leading zero (octal is ambiguous)";
        if (part.Length > 3 || (octet = uint.Parse(part)) > 255)
            return $"IPv4 part '{part}' is out of range 0..255";
        return null;
    }

    private static string? TryParseIPv6(ReadOnlySpan<char> text, out Bits128 bits)
    {
        bits = Bits128.Zero;
        foreach (var c in text)
        {
            if (c == '%')
                return "IPv6 zone ids are not allowed in a network";
            if (!char.IsAsciiHexDigit(c) && c is not ':' and not '.')
                return $"unexpected character '{c}' in IPv6 address";
        }
        // An embedded IPv4 tail (::ffff:1.2.3.4) gets the same strictness as plain IPv4.
        if (text.Contains('.'))
        {
            var problem = TryParseIPv4(text[(text.LastIndexOf(':') + 1)..], suggestCompletion: false, out _);
            if (problem is not null)
                return problem;
        }
        if (!IPAddress.TryParse(text, out var address) || address.AddressFamily != AddressFamily.InterNetworkV6)
            return $"'{text}' is not a valid IPv6 address";
        (bits, _) = AddressBits.ReadRaw(address);
        return null;
    }

    private static string? TryParsePrefixLength(ReadOnlySpan<char> text, int width, string family, out int prefixLength)
    {
        prefixLength = 0;
        if (text.IsEmpty)
            return "missing prefix length after '/'";
        if (text[0] == '-' && text.Length > 1 && !text[1..].ContainsAnyExceptInRange('0', '9'))
            return $"prefix length {text} is negative";
        foreach (var c in text)
        {
            if (c is < '0' or > '9')
                return $"prefix length '{text}' is not a decimal number";
            // Saturate so that an overlong number is reported as out of range, not overflowed.
            prefixLength = Math.Min(prefixLength * 10 + (c - '0'), 1000);
        }
        return prefixLength > width ? $"prefix length {text} is out of range 0..{width} for {family}" : null;
    }
}
