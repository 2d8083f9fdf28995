using System.Net;

namespace Steer.Policy.Configuration.Reading;

/// <summary>
/// The small value grammars of steer.yaml. Addresses go through the strict CIDR parser, so an
/// address here is refused for exactly the reasons a network would be ("10.1" is not 10.0.0.1).
/// Each returns null on success, else the problem.
/// </summary>
internal static class ValueParsers
{
    /// <summary>A single IPv4 or IPv6 address, no prefix, no zone.</summary>
    public static string? ParseAddress(string text, out IPAddress address)
    {
        address = IPAddress.None;
        if (text.Contains('/'))
            return $"'{text}' is a network; an address is expected here (no '/')";
        if (text.Contains('%'))
            return $"'{text}' has a zone ('%'); the interface is given by its own key";
        if (!Cidr.TryParse(text, out var cidr, out var error))
        {
            // The CIDR parser says "TEXT: problem"; most problems quote the text themselves.
            var problem = error!.StartsWith($"{text}: ", StringComparison.Ordinal) ? error[(text.Length + 2)..] : error;
            return problem.Contains($"'{text}'", StringComparison.Ordinal) ? problem : $"'{text}': {problem}";
        }
        address = cidr.Network;
        return null;
    }

    /// <summary>
    /// "ADDRESS:PORT", "[IPV6]:PORT", or without the port when <paramref name="defaultPort"/> is given:
    /// "ADDRESS", "[IPV6]" or a bare IPv6 address.
    /// </summary>
    public static string? ParseEndpoint(string text, int? defaultPort, out Endpoint endpoint)
    {
        endpoint = default;
        string host;
        string? port = null;
        if (text.StartsWith('['))
        {
            var close = text.IndexOf(']');
            if (close < 0)
                return $"'{text}' opens '[' without closing it; write [IPV6]:PORT";
            host = text[1..close];
            var rest = text[(close + 1)..];
            if (rest.Length > 0)
            {
                if (rest[0] != ':')
                    return $"'{text}' has '{rest}' after ']'; write [IPV6]:PORT";
                port = rest[1..];
            }
            if (!host.Contains(':'))
                return $"'{text}': brackets are for IPv6 addresses; write an IPv4 address as ADDRESS:PORT";
        }
        else if (text.Count(c => c == ':') >= 2)
        {
            // A bare IPv6 address: no way to tell a port from the last group, so there is none.
            host = text;
        }
        else
        {
            var colon = text.IndexOf(':');
            host = colon < 0 ? text : text[..colon];
            port = colon < 0 ? null : text[(colon + 1)..];
        }

        var problem = ParseAddress(host, out var address);
        if (problem is not null)
            return ReferenceEquals(host, text) && problem.EndsWith("is not a valid IPv6 address", StringComparison.Ordinal)
                ? $"{problem} (to give an IPv6 address a port, write [ADDRESS]:PORT)"
                : problem;
        int portNumber;
        if (port is null)
        {
            if (defaultPort is null)
                return $"'{text}' has no port; write ADDRESS:PORT (IPv6 as [ADDRESS]:PORT)";
            portNumber = defaultPort.Value;
        }
        else
        {
            problem = ParsePort(port, out portNumber);
            if (problem is not null)
                return problem;
        }
        endpoint = new Endpoint(address, portNumber);
        return null;
    }

    /// <summary>A decimal port 1..65535.</summary>
    public static string? ParsePort(string text, out int port)
    {
        port = 0;
        if (text.Length == 0)
            return "the port is missing after ':'";
        if (text.Length > 5 || text.AsSpan().ContainsAnyExceptInRange('0', '9'))
            return $"port '{text}' is not a number 1..65535";
        port = int.Parse(text, System.Globalization.CultureInfo.InvariantCulture);
        return port is >= 1 and <= 65535 ? null : $"port {port} is out of range 1..65535";
    }

    /// <summary>A decimal number, no sign, within the given bounds.</summary>
    public static string? ParseNumber(string text, uint min, uint max, out uint value)
    {
        value = 0;
        if (text.Length == 0 || text.Length > 10 || text.AsSpan().ContainsAnyExceptInRange('0', '9') ||
            !ulong.TryParse(text, System.Globalization.CultureInfo.InvariantCulture, out var wide))
            return $"'{text}' is not a whole number {min}..{max}";
        if (wide < min || wide > max)
            return $"{text} is out of range {min}..{max}";
        value = (uint)wide;
        return null;
    }

    /// <summary>"FIRST-LAST", inclusive, FIRST ≤ LAST, both within the bounds.</summary>
    public static string? ParseRange(string text, uint min, uint max, out NumberRange range)
    {
        range = default;
        var dash = text.IndexOf('-');
        if (dash < 0)
            return $"'{text}' is not a range; write FIRST-LAST, e.g. {min + 999}-{min + 1998}";
        var problem = ParseNumber(text[..dash].Trim(), min, max, out var first);
        if (problem is not null)
            return problem;
        problem = ParseNumber(text[(dash + 1)..].Trim(), min, max, out var last);
        if (problem is not null)
            return problem;
        if (first > last)
            return $"'{text}' runs backwards; write the smaller number first";
        range = new NumberRange(first, last);
        return null;
    }
}
