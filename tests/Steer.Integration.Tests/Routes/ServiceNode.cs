using Steer.Lab;

namespace Steer.Integration.Tests.Routes;

/// <summary>
/// The topology: a node with two service addresses on lo and three links, a router that
/// reaches each service address through its own network, and two clients behind the router.
/// <code>
///  node                                router                      clients
///   eth0 10.0.0.2 (default network) ── r0 10.0.0.1
///   eth1 10.1.0.2 (network1)        ── r1 10.1.0.1   rc1 172.16.1.1 ── client1 172.16.1.2
///   eth2 10.2.0.2 (network2)        ── r2 10.2.0.1   rc2 172.16.2.1 ── client2 172.16.2.2
///   lo   192.168.1.1 192.168.2.1       192.168.1.1 via 10.1.0.2, 192.168.2.1 via 10.2.0.2
///        fd00:a::1 fd00:b::1 (IPv6 alike: fd00:N::/64 per network, fd00:cN::/64 per client)
/// </code>
/// The node's main table sends everything to the default network (eth1 and eth2 have the
/// higher-metric default routes a DHCP client installs), and both the node and the router filter
/// reverse paths strictly — so without Steer a reply leaves by eth0 and is dropped.
/// </summary>
internal static class ServiceNode
{
    public const int Port = 3000;
    public const string Service1 = "192.168.1.1", Service2 = "192.168.2.1";
    public const string Client1 = "172.16.1.2", Client2 = "172.16.2.2";
    public const string Service1V6 = "fd00:a::1", Service2V6 = "fd00:b::1";

    public const string Yaml = """
        uplinks:
          - interface: eth1
            gateway: auto
            return: symmetric
          - interface: eth2
            gateway: auto
            return: symmetric
        sources:                       # replies from these addresses leave via that uplink
          - address: 192.168.2.1
            uplink: eth2
        """;

    public static Task<Steer.Lab.Lab> BuildAsync() => Steer.Lab.Lab.BuildAsync(t =>
    {
        var node = t.Host("node");
        var router = t.Router("router");
        var client1 = t.Host("client1");
        var client2 = t.Host("client2");
        t.Link(node, "eth0", router, "r0", "10.0.0.2/24", "10.0.0.1/24", "fd00:0::2/64", "fd00:0::1/64");
        t.Link(node, "eth1", router, "r1", "10.1.0.2/24", "10.1.0.1/24", "fd00:1::2/64", "fd00:1::1/64");
        t.Link(node, "eth2", router, "r2", "10.2.0.2/24", "10.2.0.1/24", "fd00:2::2/64", "fd00:2::1/64");
        t.Link(router, "rc1", client1, "eth0", "172.16.1.1/24", "172.16.1.2/24", "fd00:c1::1/64", "fd00:c1::2/64");
        t.Link(router, "rc2", client2, "eth0", "172.16.2.1/24", "172.16.2.2/24", "fd00:c2::1/64", "fd00:c2::2/64");
        node.Loopback($"{Service1}/32", $"{Service2}/32", $"{Service1V6}/128", $"{Service2V6}/128");
        node.Route("default via 10.0.0.1").Route("default via fd00:0::1")
            .Route("default via 10.1.0.1 dev eth1 metric 200").Route("default via fd00:1::1 dev eth1 metric 200")
            .Route("default via 10.2.0.1 dev eth2 metric 300").Route("default via fd00:2::1 dev eth2 metric 300")
            .Sysctl("net.ipv4.conf.all.rp_filter", "1")
            .Sysctl("net.ipv4.conf.all.promote_secondaries", "1"); // a new address survives the old one's removal
        router.Route($"{Service1}/32 via 10.1.0.2").Route($"{Service2}/32 via 10.2.0.2")
            .Route($"{Service1V6}/128 via fd00:1::2").Route($"{Service2V6}/128 via fd00:2::2")
            .Sysctl("net.ipv4.conf.all.rp_filter", "1")
            .Sysctl("net.ipv4.conf.all.promote_secondaries", "1");
        client1.Route("default via 172.16.1.1").Route("default via fd00:c1::1");
        client2.Route("default via 172.16.2.1").Route("default via fd00:c2::1");
    });

    /// <summary>Whether <paramref name="client"/> gets an answer from the service at <paramref name="service"/>.</summary>
    public static async Task<bool> ReachesAsync(Steer.Lab.Lab lab, string client, string service)
    {
        var result = await lab[client].ExecAsync(["timeout", "3", .. Clients.TcpCommand(service, Port)]);
        return result.Succeeded && result.Stdout.Contains("SRC ", StringComparison.Ordinal);
    }

    /// <summary>Everything of the node that Steer may touch, as text: rules, routes of every
    /// table (IPv6 link-local ones aside: they arrive late), the nft ruleset and the sysctls.</summary>
    public static string Dump(LabHost node)
    {
        var parts = new[]
        {
            node.Exec("ip", "-4", "rule", "show").EnsureSuccess().Stdout,
            node.Exec("ip", "-6", "rule", "show").EnsureSuccess().Stdout,
            node.Exec("ip", "-4", "route", "show", "table", "all").EnsureSuccess().Stdout,
            node.Exec("ip", "-6", "route", "show", "table", "all").EnsureSuccess().Stdout,
            node.Exec("nft", "list", "ruleset").EnsureSuccess().Stdout,
            node.Exec("sysctl", "net.ipv4.conf.all.rp_filter", "net.ipv4.conf.eth1.rp_filter", "net.ipv4.conf.eth2.rp_filter",
                "net.ipv4.conf.all.src_valid_mark").EnsureSuccess().Stdout,
        };
        return string.Join('\n', string.Join("\n---\n", parts).Split('\n').Where(l => !l.Contains("fe80", StringComparison.Ordinal)));
    }
}
