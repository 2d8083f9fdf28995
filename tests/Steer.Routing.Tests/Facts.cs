using System.Net;
using Steer.Linux.Netlink;
using Steer.Policy.Configuration;
using Steer.Routing.Model;

namespace Steer.Routing.Tests;

/// <summary>The issue's node as the kernel would describe it: eth0 (default network), eth1 and
/// eth2 with DHCP-style default routes of higher metric, two service addresses on lo.</summary>
internal static class Facts
{
    public const int Eth0 = 2, Eth1 = 3, Eth2 = 4;

    public static HostFacts Node(string? eth1Gateway = "10.1.0.1", bool eth2Up = true, string allRpFilter = "1") => new(
        [
            new Link(1, "lo", true, true, 65536, null, 772),
            new Link(Eth0, "eth0", true, true, 1500, "veth", 1),
            new Link(Eth1, "eth1", true, true, 1500, "veth", 1),
            new Link(Eth2, "eth2", eth2Up, true, 1500, "veth", 1),
        ],
        [
            Address(1, "192.168.1.1", 32), Address(1, "192.168.2.1", 32),
            Address(Eth0, "10.0.0.2", 24), Address(Eth1, "10.1.0.2", 24), Address(Eth2, "10.2.0.2", 24),
            Address(Eth1, "fd00:1::2", 64),
        ],
        [
            Default("10.0.0.1", Eth0, null),
            .. eth1Gateway is null ? Array.Empty<Route>() : [Default(eth1Gateway, Eth1, 200)],
            Default("10.2.0.1", Eth2, 300),
            Default("fe80::1", Eth1, 1024),
        ],
        new Dictionary<string, string>
        {
            ["net/ipv4/conf/all/src_valid_mark"] = "0",
            ["net/ipv4/conf/all/rp_filter"] = allRpFilter,
            ["net/ipv4/conf/eth1/rp_filter"] = "0",
            ["net/ipv4/conf/eth2/rp_filter"] = "0",
        });

    public static SteerConfig Config(string yaml) => ConfigLoader.LoadOrThrow(yaml);

    public const string IssueYaml = """
        uplinks:
          - interface: eth1
            gateway: 10.111.221.21
            return: symmetric
          - interface: eth2
            gateway: auto
            return: symmetric
        sources:
          - address: 192.168.2.1
            uplink: eth2
        """;

    public static InterfaceAddress Address(int index, string address, int prefix) =>
        new(index, IPAddress.Parse(address), prefix, index == 1 && !address.Contains(':') ? (byte)RouteScope.Host : (byte)0, AddressFlags.Permanent, null);

    private static Route Default(string gateway, int oif, uint? metric) => new()
    {
        Destination = Route.DefaultDestination(IPAddress.Parse(gateway).AddressFamily), Gateway = IPAddress.Parse(gateway),
        OutputInterface = oif, Metric = metric, Protocol = RouteProtocol.Dhcp, Scope = RouteScope.Universe,
    };
}
