using Steer.Linux.Netlink;

namespace Steer.Routing;

/// <summary>
/// How Steer's routing objects are recognised. Steer deletes only what carries its mark here:
/// routes and rules tagged with <see cref="Protocol"/>, and its own chains in nft table
/// <c>inet steer</c>. The priority and table ranges of steer.yaml (<c>routing:</c>) say where Steer
/// creates them; a foreign object inside them is a collision, reported and never touched.
/// </summary>
public static class Ownership
{
    /// <summary>rtm_protocol / FRA_PROTOCOL of every route and rule Steer makes ("proto 245").</summary>
    public const RouteProtocol Protocol = (RouteProtocol)245;

    /// <summary>Protocols of Steer's other planes (the proxy plane's interception rule and local
    /// route, src/Steer.Proxy InterceptionSetup.Protocol). Their objects in Steer's ranges are
    /// neither collisions nor the route plane's to remove.</summary>
    public static readonly IReadOnlySet<RouteProtocol> SiblingProtocols = new HashSet<RouteProtocol> { (RouteProtocol)250 };

    /// <summary>Whole mark values other planes use (the proxy's intercept and bypass marks,
    /// src/Steer.Proxy ProxyOptions). A mark slot whose bits equal one of theirs under
    /// <see cref="MarkMask"/> is never given to an uplink, so their packets never match an
    /// uplink's fwmark rule.</summary>
    public static readonly IReadOnlyList<uint> ReservedMarks = [0x5354_0001, 0x5354_0002];

    /// <summary>The packet and conntrack mark bits Steer uses for return paths: one value per
    /// symmetric uplink, 255 at most. Other bits of a mark are left as they are.</summary>
    public const uint MarkMask = 0x00ff0000;

    /// <summary>The lowest bit of <see cref="MarkMask"/>.</summary>
    public const int MarkShift = 16;

    /// <summary>The most uplinks with <c>return: symmetric</c> the mark bits can tell apart.</summary>
    public const int MaxMarks = 255;

    /// <summary>The nftables table (family inet) shared by Steer's planes.</summary>
    public const string NftTable = "steer";

    /// <summary>The route plane's chains in it; other planes keep their own chains.</summary>
    public const string IngressChain = "routes_ingress";
    public const string OutputChain = "routes_output";
}
