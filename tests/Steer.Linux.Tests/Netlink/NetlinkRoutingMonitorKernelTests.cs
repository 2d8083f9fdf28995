using System.Net;
using System.Net.Sockets;
using System.Threading.Channels;
using Steer.Linux.Netlink;
using Xunit;

namespace Steer.Linux.Tests.Netlink;

/// <summary>Route and rule notifications from the real kernel, each within a second.</summary>
public sealed class NetlinkRoutingMonitorKernelTests
{
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(1);
    private static readonly RouteProtocol Ours = (RouteProtocol)250;

    [Fact]
    public async Task Routes_and_rules_added_and_deleted_arrive_as_typed_events_equal_to_what_was_sent()
    {
        using var hosts = TwoHosts.Create();
        using var monitor = NetlinkMonitor.OpenAt(hosts.A.Path, NetlinkGroups.Routes | NetlinkGroups.Rules);
        var events = Channel.CreateUnbounded<NetlinkEvent>();
        var pump = Task.Run(async () =>
        {
            await foreach (var e in monitor.ReadEventsAsync(TestContext.Current.CancellationToken))
                await events.Writer.WriteAsync(e);
            events.Writer.Complete();
        });

        var route4 = new Route
        {
            Destination = TwoHosts.FarNet4, Gateway = TwoHosts.B4, OutputInterface = hosts.A0, Table = 100,
            Scope = RouteScope.Universe, Protocol = Ours,
        };
        var route6 = new Route
        {
            Destination = TwoHosts.FarNet6, Type = RouteType.Blackhole, Table = 100, Metric = 7, Scope = RouteScope.Universe, Protocol = Ours,
        };
        var rule4 = new Rule { Family = AddressFamily.InterNetwork, Priority = 500, FwMark = 3, Table = 100, Protocol = Ours };
        var rule6 = new Rule { Family = AddressFamily.InterNetworkV6, Priority = 500, OutputInterface = "a0", Action = RuleAction.Prohibit };

        hosts.NetA.AddRoute(route4);
        Assert.Equal(route4, (await Expect<RouteEvent>(events, e => e.Change == RouteChange.Added && e.Route.Table == 100)).Route);
        hosts.NetA.AddRoute(route6);
        // The kernel puts lo on an IPv6 blackhole route.
        Assert.Equal(route6, (await Expect<RouteEvent>(events, e => e.Change == RouteChange.Added && e.Route.Table == 100)).Route with { OutputInterface = null });
        hosts.NetA.AddRule(rule4);
        Assert.Equal(rule4, (await Expect<RuleEvent>(events, e => e.Change == RuleChange.Added)).Rule);
        hosts.NetA.AddRule(rule6);
        Assert.Equal(rule6, (await Expect<RuleEvent>(events, e => e.Change == RuleChange.Added)).Rule);

        hosts.NetA.DeleteRule(rule4);
        Assert.Equal(rule4, (await Expect<RuleEvent>(events, e => e.Change == RuleChange.Deleted)).Rule);
        hosts.NetA.DeleteRoute(route4);
        Assert.Equal(route4, (await Expect<RouteEvent>(events, e => e.Change == RouteChange.Deleted && e.Route.Table == 100)).Route);

        // Deleting the link takes its routes with it. IPv6 announces each route it removes; IPv4
        // announces only the local-table ones: a reconciler must treat a link's deletion as the
        // deletion of its IPv4 routes, and re-list.
        hosts.NetA.AddRoute(route4);
        await Expect<RouteEvent>(events, e => e.Change == RouteChange.Added && e.Route.Table == 100);
        hosts.NetA.DeleteLink("a0");
        await Expect<RouteEvent>(events, e => e.Change == RouteChange.Deleted && e.Route.Destination.Equals(IPNetwork.Parse("fd61::/64")));
        await Expect<RouteEvent>(events, e => e.Change == RouteChange.Deleted && e.Route.Type == RouteType.Local
            && e.Route.Destination.Equals(IPNetwork.Parse("10.61.0.1/32")));
        Assert.Empty(hosts.NetA.ListRoutes(AddressFamily.InterNetwork, 100));

        monitor.Dispose();
        await pump.WaitAsync(Deadline, TestContext.Current.CancellationToken);
    }

    /// <summary>Reads events until one of type <typeparamref name="T"/> matches, failing after a second.</summary>
    private static async Task<T> Expect<T>(Channel<NetlinkEvent> events, Func<T, bool> match) where T : NetlinkEvent
    {
        using var timeout = new CancellationTokenSource(Deadline);
        var seen = new List<NetlinkEvent>();
        try
        {
            while (true)
            {
                var e = await events.Reader.ReadAsync(timeout.Token);
                if (e is T t && match(t))
                    return t;
                seen.Add(e);
            }
        }
        catch (OperationCanceledException)
        {
            Assert.Fail($"no matching {typeof(T).Name} within {Deadline.TotalSeconds}s; saw:{Environment.NewLine}{string.Join(Environment.NewLine, seen)}");
            throw;
        }
    }
}
