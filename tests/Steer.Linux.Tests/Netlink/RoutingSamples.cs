using System.Net;
using System.Net.Sockets;
using Steer.Linux.Netlink;

namespace Steer.Linux.Tests.Netlink;

/// <summary>Routes and rules with most fields set, and their encoded messages, for parser tests.</summary>
internal static class RoutingSamples
{
    public static readonly Route[] Routes =
    [
        new()
        {
            Destination = IPNetwork.Parse("10.0.0.0/8"), Gateway = IPAddress.Parse("192.0.2.1"), OutputInterface = 3,
            Table = 100_000, Metric = 5, Scope = RouteScope.Universe, PreferredSource = IPAddress.Parse("192.0.2.9"),
            Protocol = (RouteProtocol)250, OnLink = true,
        },
        new() { Destination = IPNetwork.Parse("::/0"), Gateway = IPAddress.Parse("fe80::1"), OutputInterface = 2, Metric = 1024 },
        new() { Destination = IPNetwork.Parse("0.0.0.0/0"), Gateway = IPAddress.Parse("fe80::1"), OutputInterface = 2 },
        new() { Destination = IPNetwork.Parse("0.0.0.0/0"), Type = RouteType.Local, OutputInterface = 1, Table = 7 },
        new() { Destination = IPNetwork.Parse("fd00::/8"), Type = RouteType.Prohibit },
    ];

    public static readonly Rule[] Rules =
    [
        new()
        {
            Family = AddressFamily.InterNetwork, Priority = 100, Invert = true, Source = IPNetwork.Parse("10.0.0.0/8"),
            Destination = IPNetwork.Parse("192.168.0.0/16"), FwMark = 1, FwMask = 3, InputInterface = "lo", OutputInterface = "eth0",
            IpProtocol = 6, SourcePorts = new PortRange(1000, 2000), DestinationPorts = PortRange.Single(80), Table = 100_000,
            SuppressPrefixLength = 0, Protocol = (RouteProtocol)250,
        },
        new() { Family = AddressFamily.InterNetworkV6, Priority = 5, Source = IPNetwork.Parse("fd00::/8"), Action = RuleAction.Blackhole },
        new() { Family = AddressFamily.InterNetwork, Action = RuleAction.Goto, GotoPriority = 200 },
    ];

    public static readonly byte[][] Datagrams =
    [
        .. Routes.Select(r => KernelMessages.Route(r)),
        KernelMessages.Route(Routes[1], type: Rt.RTM_DELROUTE),
        .. Rules.Select(r => KernelMessages.Rule(r)),
        KernelMessages.Rule(Rules[0], type: Rt.RTM_DELRULE),
        KernelMessages.Concat(KernelMessages.Route(Routes[0]), KernelMessages.Rule(Rules[0]), KernelMessages.Done()),
    ];
}
