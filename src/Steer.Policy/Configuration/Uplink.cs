using System.Net;

namespace Steer.Policy.Configuration;

/// <summary>
/// <c>uplinks:</c> an egress link. Steer gives it its own routing table (default route through its
/// gateway) and, with <c>return: symmetric</c>, makes replies to connections that came in on it leave
/// on it again.
/// </summary>
public sealed record Uplink(string Interface, Gateway Gateway4, Gateway Gateway6, ReturnPath Return, uint Table);

public enum ReturnPath
{
    /// <summary>Replies leave by the uplink the request came in on (connection marks and source rules).</summary>
    Symmetric,

    /// <summary>Steer does nothing for replies; the kernel's routing decides.</summary>
    None,
}

public enum GatewayMode
{
    /// <summary>Learned from the kernel: the default route through this interface in the main table
    /// (from DHCP, router advertisements, or by hand). Without one, routes are on-link, which is right
    /// for point-to-point links such as WireGuard.</summary>
    Auto,

    /// <summary>This family does not use the uplink: flows of that family routed to it are refused.</summary>
    None,

    /// <summary>A fixed gateway address.</summary>
    Static,
}

/// <summary>The gateway of one address family on an uplink.</summary>
public readonly record struct Gateway
{
    private readonly IPAddress? _address;

    private Gateway(GatewayMode mode, IPAddress? address) => (Mode, _address) = (mode, address);

    public static Gateway Auto { get; } = new(GatewayMode.Auto, null);

    public static Gateway None { get; } = new(GatewayMode.None, null);

    public static Gateway Static(IPAddress address)
    {
        ArgumentNullException.ThrowIfNull(address);
        // A private copy without zone: IPAddress can be changed through its setters, and the interface is the zone.
        return new(GatewayMode.Static, new IPAddress(address.GetAddressBytes()));
    }

    public GatewayMode Mode { get; }

    /// <summary>The address when <see cref="Mode"/> is <see cref="GatewayMode.Static"/>, else null.</summary>
    public IPAddress? Address => _address;

    /// <summary>"auto", "none" or the address: the steer.yaml form.</summary>
    public override string ToString() => Mode switch
    {
        GatewayMode.Auto => "auto",
        GatewayMode.None => "none",
        _ => _address!.ToString(),
    };
}

/// <summary><c>sources:</c> replies from these addresses leave via that uplink.</summary>
public sealed record SourceRoute(Cidr Addresses, string Uplink);
