using System.Collections.Concurrent;
using Steer.Policy.Configuration;
using Steer.Routing;
using Steer.Routing.Kernel;
using Xunit;

namespace Steer.Integration.Tests.Routes;

/// <summary>The route plane in the topology, run in-process on the node's namespace.</summary>
public sealed class RoutePlaneLabTests : IAsyncLifetime
{
    private Steer.Lab.Lab? lab;
    private readonly string stateFile = $"/tmp/steer-routes-test-{Guid.NewGuid():N}.json";
    private readonly StringWriter log = new();

    public async ValueTask InitializeAsync()
    {
        if (Steer.Lab.Lab.SkipReason is not null)
            return;
        lab = await ServiceNode.BuildAsync();
        lab["node"].Echo(ServiceNode.Port);
    }

    public async ValueTask DisposeAsync()
    {
        File.Delete(stateFile);
        if (lab is not null)
            await lab.DisposeAsync();
    }

    private RoutePlane Plane() => new(new RoutePlaneOptions(lab!["node"].NsPath, stateFile, TextWriter.Synchronized(log), TimeSpan.FromMilliseconds(300)));

    private static SteerConfig Config(string yaml = ServiceNode.Yaml) => ConfigLoader.LoadOrThrow(yaml);

    private static void SkipUnlessLab()
    {
        if (Steer.Lab.Lab.SkipReason is { } reason)
            Assert.Skip(reason);
    }

    [Fact]
    public async Task Without_Steer_clients_fail_and_with_it_every_client_reaches_both_services_with_replies_leaving_where_requests_came_in()
    {
        SkipUnlessLab();
        foreach (var client in new[] { "client1", "client2" })
            Assert.False(await ServiceNode.ReachesAsync(lab!, client, ServiceNode.Service1), $"{client} reached service 1 without Steer");

        var node = lab!["node"];
        var out0 = node.CountPackets("oifname \"eth0\" tcp sport 3000");
        var out1 = node.CountPackets($"oifname \"eth1\" ip saddr {ServiceNode.Service1} tcp sport 3000");
        var out2 = node.CountPackets($"oifname \"eth2\" ip saddr {ServiceNode.Service2} tcp sport 3000");
        var in1 = node.CountPackets($"iifname \"eth1\" ip daddr {ServiceNode.Service1} tcp dport 3000");
        var in2 = node.CountPackets($"iifname \"eth2\" ip daddr {ServiceNode.Service2} tcp dport 3000");
        using var plane = Plane();
        plane.Apply(Config());
        foreach (var client in new[] { "client1", "client2" })
            foreach (var service in new[] { ServiceNode.Service1, ServiceNode.Service2 })
                Assert.True(await ServiceNode.ReachesAsync(lab, client, service), $"{client} → {service}\n{log}");
        // IPv6 alike (no rp_filter there: the counters tell the way).
        var out1v6 = node.CountPackets($"oifname \"eth1\" ip6 saddr {ServiceNode.Service1V6} tcp sport 3000");
        var out2v6 = node.CountPackets($"oifname \"eth2\" ip6 saddr {ServiceNode.Service2V6} tcp sport 3000");
        foreach (var client in new[] { "client1", "client2" })
            foreach (var service in new[] { ServiceNode.Service1V6, ServiceNode.Service2V6 })
                Assert.True(await ServiceNode.ReachesAsync(lab, client, service), $"{client} → {service}\n{log}");
        Assert.Equal(0, out0.Read());
        Assert.True(out1.Read() > 0 && out2.Read() > 0);
        Assert.True(out1v6.Read() > 0 && out2v6.Read() > 0);
        Assert.True(in1.Read() > 0 && in2.Read() > 0);
        Assert.Equal("2", node.Exec("sysctl", "-n", "net.ipv4.conf.eth1.rp_filter").EnsureSuccess().Stdout.Trim());

        // A connection the node opens from the eth2 service address leaves by eth2 (sources:).
        lab["client1"].Echo(3001);
        var fromService = node.CountPackets($"oifname \"eth2\" ip saddr {ServiceNode.Service2} tcp dport 3001");
        var result = await node.ExecAsync("socat", "-T", "3", "OPEN:/dev/null!!STDOUT", $"TCP4:{ServiceNode.Client1}:3001,bind={ServiceNode.Service2}");
        Assert.True(result.Succeeded, result.ToString());
        Assert.True(fromService.Read() > 0);
    }

    [Fact]
    public async Task Changing_network1s_router_address_and_gateway_at_run_time_reconverges()
    {
        SkipUnlessLab();
        using var plane = Plane();
        plane.Apply(Config());
        Assert.True(await ServiceNode.ReachesAsync(lab!, "client1", ServiceNode.Service1));
        var table = Config().FindUplink("eth1")!.Table;

        // The router's side of network1 moves to .254; the node's DHCP client follows.
        lab!["router"].Exec("ip", "addr", "add", "10.1.0.254/24", "dev", "r1").EnsureSuccess();
        lab["router"].Exec("ip", "addr", "del", "10.1.0.1/24", "dev", "r1").EnsureSuccess();
        lab["node"].Exec("ip", "route", "replace", "default", "via", "10.1.0.254", "dev", "eth1", "metric", "200").EnsureSuccess();
        await Eventually(() => lab["node"].Exec("ip", "route", "show", "table", table.ToString()).Stdout.Contains("default via 10.1.0.254", StringComparison.Ordinal));
        Assert.True(await ServiceNode.ReachesAsync(lab, "client1", ServiceNode.Service1), log.ToString());

        // The node's own address on network1 changes: the table's connected route follows.
        lab["node"].Exec("ip", "addr", "add", "10.1.0.3/24", "dev", "eth1").EnsureSuccess();
        lab["node"].Exec("ip", "addr", "del", "10.1.0.2/24", "dev", "eth1").EnsureSuccess();
        lab["node"].Exec("ip", "route", "replace", "default", "via", "10.1.0.254", "dev", "eth1", "metric", "200").EnsureSuccess();
        lab["router"].Exec("ip", "route", "replace", $"{ServiceNode.Service1}/32", "via", "10.1.0.3").EnsureSuccess();
        await Eventually(() => lab["node"].Exec("ip", "route", "show", "table", table.ToString()).Stdout.Contains("src 10.1.0.3", StringComparison.Ordinal));
        Assert.True(await ServiceNode.ReachesAsync(lab, "client1", ServiceNode.Service1), log.ToString());
        Assert.Contains("reconciled after", log.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_link_going_down_and_up_and_a_hand_deleted_rule_are_corrected_within_100_ms()
    {
        SkipUnlessLab();
        using var plane = Plane();
        var reports = new BlockingCollection<ReconcileReport>();
        plane.Reconciled += r => { if (r.Applied) reports.Add(r); };
        plane.Apply(Config());
        await Task.Delay(200);
        while (reports.TryTake(out _)) { }
        var table = Config().FindUplink("eth2")!.Table;

        lab!["node"].Exec("ip", "rule", "del", "priority", "10002").EnsureSuccess();
        Assert.True(reports.TryTake(out var back, TimeSpan.FromSeconds(2)), log.ToString());
        Assert.Contains("Deleted 10002:", back!.Trigger, StringComparison.Ordinal);
        Assert.True(back.Latency < TimeSpan.FromMilliseconds(100), $"took {back.Latency.TotalMilliseconds} ms");
        Assert.Contains("from 192.168.2.1 lookup", lab["node"].Exec("ip", "rule", "show", "priority", "10002").Stdout, StringComparison.Ordinal);

        lab["node"].Exec("ip", "link", "set", "eth2", "down").EnsureSuccess();
        await Task.Delay(200);
        lab["node"].Exec("ip", "link", "set", "eth2", "up").EnsureSuccess();
        // The link took its routes along, the main table's DHCP default too; the DHCP client renews it.
        await Eventually(() => lab["node"].Exec("ip", "route", "show", "table", table.ToString()).Stdout.Contains("default dev eth2", StringComparison.Ordinal));
        lab["node"].Exec("ip", "route", "add", "default", "via", "10.2.0.1", "dev", "eth2", "metric", "300").EnsureSuccess();
        await Eventually(() => lab["node"].Exec("ip", "route", "show", "table", table.ToString()).Stdout.Contains("default via 10.2.0.1", StringComparison.Ordinal));
        Assert.True(await ServiceNode.ReachesAsync(lab, "client2", ServiceNode.Service2), log.ToString());
    }

    [Fact]
    public async Task Hand_edits_that_raise_no_event_are_undone_by_the_periodic_check()
    {
        SkipUnlessLab();
        using var plane = Plane();
        plane.Apply(Config());
        var node = lab!["node"];
        node.Exec("nft", "flush", "chain", "inet", "steer", "routes_output").EnsureSuccess();
        node.Exec("sysctl", "-w", "net.ipv4.conf.eth1.rp_filter=1").EnsureSuccess();
        await Eventually(() => node.Exec("nft", "list", "chain", "inet", "steer", "routes_output").Stdout.Contains("steer:reply eth1", StringComparison.Ordinal)
                               && node.Exec("sysctl", "-n", "net.ipv4.conf.eth1.rp_filter").Stdout.Trim() == "2");
        Assert.Contains("were changed by hand", log.ToString(), StringComparison.Ordinal);
        Assert.True(await ServiceNode.ReachesAsync(lab, "client1", ServiceNode.Service1));
    }

    [Fact]
    public void Stop_leaves_rules_routes_nft_and_sysctls_exactly_as_before_start_and_a_restart_adopts()
    {
        SkipUnlessLab();
        var node = lab!["node"];
        var before = ServiceNode.Dump(node);
        using (var first = Plane())
        {
            Assert.False(first.Apply(Config()).IsEmpty);
            Assert.NotEqual(before, ServiceNode.Dump(node));
        }
        // A new plane (a restarted daemon) finds everything in place: nothing to change.
        using var second = Plane();
        Assert.True(second.Apply(Config()).IsEmpty, log.ToString());
        second.RemoveAll();
        Assert.Equal(before, ServiceNode.Dump(node));
        Assert.False(File.Exists(stateFile));
    }

    [Fact]
    public void A_foreign_rule_in_Steers_range_is_reported_and_nothing_is_applied()
    {
        SkipUnlessLab();
        var node = lab!["node"];
        node.Exec("ip", "rule", "add", "priority", "10500", "from", ServiceNode.Service1, "lookup", "100").EnsureSuccess();
        var before = ServiceNode.Dump(node);
        using var plane = Plane();
        var e = Assert.Throws<RoutePlaneException>(() => plane.Apply(Config()));
        Assert.Contains("rule `10500: from 192.168.1.1/32 lookup 100", e.Message, StringComparison.Ordinal);
        Assert.Contains("routing.priorities", e.Message, StringComparison.Ordinal);
        Assert.Equal(before, ServiceNode.Dump(node));
    }

    [Fact]
    public void A_change_the_kernel_refuses_halfway_is_undone()
    {
        SkipUnlessLab();
        var node = lab!["node"];
        // IPv6 is off on eth2: its static IPv6 gateway is refused after eth1's routes went in.
        node.Exec("sysctl", "-w", "net.ipv6.conf.eth2.disable_ipv6=1").EnsureSuccess();
        var before = ServiceNode.Dump(node);
        using var plane = Plane();
        var e = Assert.Throws<RoutePlaneException>(() => plane.Apply(Config(ServiceNode.Yaml.Replace("gateway: auto\n    return: symmetric\nsources", "gateway: auto\n    gateway6: fd00:2::1\n    return: symmetric\nsources", StringComparison.Ordinal))));
        Assert.Contains("every change before it was undone", e.Message, StringComparison.Ordinal);
        Assert.Equal(before, ServiceNode.Dump(node));
    }

    private static async Task Eventually(Func<bool> condition)
    {
        var deadline = DateTime.UtcNow.AddSeconds(3);
        while (!condition())
        {
            if (DateTime.UtcNow > deadline)
                Assert.Fail("condition not met within 3 s");
            await Task.Delay(20);
        }
    }
}
