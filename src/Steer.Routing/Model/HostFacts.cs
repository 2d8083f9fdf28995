using Steer.Linux.Netlink;

namespace Steer.Routing.Model;

/// <summary>
/// What the kernel says about the host, as far as the route plane depends on it: links,
/// addresses, the main table (for gateways learnt from DHCP or router advertisements) and the
/// sysctls Steer may change, with the values they had before Steer changed them.
/// </summary>
/// <param name="Links">Every link.</param>
/// <param name="Addresses">Every address.</param>
/// <param name="MainRoutes">The routes of the main table.</param>
/// <param name="OriginalSysctls">For each sysctl key the route plane may set (slashed form,
/// <c>net/ipv4/conf/eth1/rp_filter</c>): its value before Steer, or its value now when Steer has
/// not changed it. Absent: the key does not exist (the interface is gone).</param>
public sealed record HostFacts(
    IReadOnlyList<Link> Links,
    IReadOnlyList<InterfaceAddress> Addresses,
    IReadOnlyList<Route> MainRoutes,
    IReadOnlyDictionary<string, string> OriginalSysctls)
{
    public static HostFacts Empty { get; } = new([], [], [], new Dictionary<string, string>());

    public Link? FindLink(string name) => Links.FirstOrDefault(l => l.Name == name);

    /// <summary>The interface name of an ifindex, or <c>ifN</c> when none is known.</summary>
    public string NameOf(int? index) =>
        index is { } i ? Links.FirstOrDefault(l => l.Index == i)?.Name ?? $"if{i}" : "?";
}
