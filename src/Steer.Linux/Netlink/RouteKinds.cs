using System.Globalization;

namespace Steer.Linux.Netlink;

/// <summary>RTN_* route types: what happens to a packet the route matches.</summary>
public enum RouteType : byte
{
    Unspecified = 0,
    /// <summary>Forward to a gateway or a directly connected host.</summary>
    Unicast = 1,
    /// <summary>Deliver locally: the destination is this host (TProxy's <c>local 0.0.0.0/0 dev lo</c>).</summary>
    Local = 2,
    Broadcast = 3,
    Anycast = 4,
    Multicast = 5,
    /// <summary>Drop silently.</summary>
    Blackhole = 6,
    /// <summary>Drop; the sender gets EHOSTUNREACH / ICMP host unreachable.</summary>
    Unreachable = 7,
    /// <summary>Drop; the sender gets EACCES / ICMP administratively prohibited.</summary>
    Prohibit = 8,
    /// <summary>Continue the rule walk as if this table had no match.</summary>
    Throw = 9,
}

/// <summary>RT_SCOPE_*: how far away the destination is.</summary>
public enum RouteScope : byte
{
    /// <summary>Printed "global" by ip: reached through a gateway.</summary>
    Universe = 0,
    Site = 200,
    /// <summary>Directly attached to the link.</summary>
    Link = 253,
    /// <summary>This host.</summary>
    Host = 254,
    Nowhere = 255,
}

/// <summary>
/// RTPROT_*: who installed a route or rule. Any value 0–255 is valid; a program that tags its
/// own objects with a number it owns can later find and delete exactly those (cast the number).
/// </summary>
public enum RouteProtocol : byte
{
    Unspecified = 0,
    Redirect = 1,
    /// <summary>Made by the kernel itself (connected subnets, local addresses).</summary>
    Kernel = 2,
    /// <summary>What <c>ip route add</c> uses when no protocol is given.</summary>
    Boot = 3,
    Static = 4,
    RouterAdvertisement = 9,
    Dhcp = 16,
}

/// <summary>Routing table ids with a name (rt_tables); others are plain numbers up to 2^32-1.</summary>
public static class RouteTable
{
    public const uint Unspecified = 0;
    /// <summary>rtm_table of a route or rule whose id does not fit 8 bits; the real id is an attribute.</summary>
    internal const uint Compat = 252;
    public const uint Default = 253;
    public const uint Main = 254;
    public const uint Local = 255;

    /// <summary>"main", "local", "default", or the number, as ip prints it.</summary>
    public static string Name(uint table) => table switch
    {
        Default => "default",
        Main => "main",
        Local => "local",
        _ => table.ToString(CultureInfo.InvariantCulture),
    };
}

/// <summary>The words ip uses for route types and protocols.</summary>
internal static class RouteWords
{
    public static string Type(RouteType type) => type switch
    {
        RouteType.Unspecified => "unspec",
        RouteType.Unicast => "unicast",
        RouteType.Local => "local",
        RouteType.Broadcast => "broadcast",
        RouteType.Anycast => "anycast",
        RouteType.Multicast => "multicast",
        RouteType.Blackhole => "blackhole",
        RouteType.Unreachable => "unreachable",
        RouteType.Prohibit => "prohibit",
        RouteType.Throw => "throw",
        _ => ((byte)type).ToString(CultureInfo.InvariantCulture),
    };

    public static string Protocol(RouteProtocol protocol) => protocol switch
    {
        RouteProtocol.Unspecified => "unspec",
        RouteProtocol.Redirect => "redirect",
        RouteProtocol.Kernel => "kernel",
        RouteProtocol.Boot => "boot",
        RouteProtocol.Static => "static",
        RouteProtocol.RouterAdvertisement => "ra",
        RouteProtocol.Dhcp => "dhcp",
        _ => ((byte)protocol).ToString(CultureInfo.InvariantCulture),
    };
}
