using System.Text.RegularExpressions;

namespace Steer.Lab;

/// <summary>
/// Which IP families an <c>ip route</c>/<c>ip rule</c> text applies to: the family of the address
/// it names, or both when it names none (<c>oif up2 lookup 102</c>, <c>default dev tun0</c>) —
/// a lab almost always wants such a rule for IPv4 and IPv6 alike.
/// </summary>
internal static partial class Family
{
    public static (bool V4, bool V6) Of(string spec)
    {
        if (spec.Contains(':'))
            return (false, true);
        if (IPv4Literal().IsMatch(spec))
            return (true, false);
        return (true, true);
    }

    public static bool IsV6Address(string cidr) => cidr.Contains(':');

    [GeneratedRegex(@"\b\d{1,3}(\.\d{1,3}){3}\b")]
    private static partial Regex IPv4Literal();
}
