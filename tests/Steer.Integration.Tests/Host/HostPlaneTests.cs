using System.Globalization;
using System.Net;
using Steer.Integration.Tests.LabTests;
using Steer.Integration.Tests.Run;
using Steer.Lab;
using Steer.Linux.Cgroups;
using Steer.Linux.Mounts;
using Steer.Linux.Netlink;
using Steer.Linux.SocketPlane;
using Xunit;

namespace Steer.Integration.Tests.Host;

/// <summary>
/// The host-wide socket plane, attached to a throw-away cgroup (never the real root): a socket of
/// a process in it that connects to a decided address is bound to the decided uplink.
/// </summary>
public sealed partial class HostPlaneTests : IAsyncLifetime
{
    private Steer.Lab.Lab? lab;
    private string attachPoint = "";
    private Cgroup clients = null!, own = null!;
    private HostBinding? binding;
    private readonly string pins = Path.Combine(SteerMounts.BpfDirectory, $"host-test-{Guid.NewGuid():N}");
    private int up1, up2;

    public async ValueTask InitializeAsync()
    {
        if (Steer.Lab.Lab.SkipReason is not null)
            return;
        lab = await TwoUplinks.BuildAsync();
        lab["server"].Echo(RunLabFixture.Port);
        var root = SteerMounts.CgroupRoot();
        attachPoint = Path.Combine(root, $"steer-host-test-{Guid.NewGuid():N}");
        var attached = Cgroup.Create(attachPoint);
        clients = Cgroup.Create(Path.Combine(attachPoint, "clients"));
        own = Cgroup.Create(Path.Combine(attachPoint, "steer"));
        using (var netlink = NetlinkHandle.OpenAt(lab["host"].NsPath))
        {
            up1 = netlink.GetLink("up1")!.Index;
            up2 = netlink.GetLink("up2")!.Index;
        }
        SteerMounts.BpfRoot();
        binding = HostBinding.Attach(attached, new HostBindingOptions(own, OwnCgroupLevel: 2, Capacity: 1024), pins);
    }

    public async ValueTask DisposeAsync()
    {
        binding?.Dispose();
        HostBinding.RemoveAll(pins);
        foreach (var dir in new[] { "clients", "steer", "" }.Select(d => Path.Combine(attachPoint, d)))
            if (attachPoint.Length > 0 && Directory.Exists(dir))
                new Cgroup(dir).TryRemove(TimeSpan.FromSeconds(2));
        if (lab is not null)
            await lab.DisposeAsync();
    }

    private static void SkipUnlessSupported() => TwoUplinks.SkipUnlessSupported();

    [Theory]
    [InlineData("tcp", false)]
    [InlineData("tcp", true)]
    [InlineData("udp-connected", false)]
    [InlineData("udp-connected", true)]
    public async Task A_decided_address_is_reached_through_the_decided_uplink(string kind, bool ipv6)
    {
        SkipUnlessSupported();
        var service = ipv6 ? TwoUplinks.Service6 : TwoUplinks.Service4;
        binding!.Decisions.Set(IPAddress.Parse(service), up2, rule: 7, TimeSpan.FromMinutes(1));
        Assert.Equal(TwoUplinks.SourceVia("up2", ipv6), await SourceSeen(clients, Client(kind, service)));
        Assert.True(binding.Decisions.TryGet(IPAddress.Parse(service), out var decision));
        Assert.Equal((up2, 7u), (decision.InterfaceIndex, decision.Rule));
        Assert.InRange(decision.Remaining!.Value, TimeSpan.FromSeconds(50), TimeSpan.FromMinutes(1));
    }

    [Fact]
    public async Task Undecided_and_expired_addresses_follow_the_routing_table()
    {
        SkipUnlessSupported();
        Assert.Equal(TwoUplinks.SourceVia(null, ipv6: false), await SourceSeen(clients, Client("tcp", TwoUplinks.Service4)));
        binding!.Decisions.Set(IPAddress.Parse(TwoUplinks.Service4), up2, rule: 1, TimeSpan.Zero);
        Assert.Equal(TwoUplinks.SourceVia(null, ipv6: false), await SourceSeen(clients, Client("tcp", TwoUplinks.Service4)));
        Assert.Equal(1, binding.Decisions.Sweep());
        Assert.Empty(binding.Decisions.Snapshot());
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task An_unconnected_datagram_that_needed_binding_is_refused_and_the_next_leaves_bound(bool ipv6)
    {
        SkipUnlessSupported();
        var service = ipv6 ? TwoUplinks.Service6 : TwoUplinks.Service4;
        var leaks = lab!["host"].CountPackets($"oifname != \"up2\" {(ipv6 ? "ip6" : "ip")} daddr {service} udp dport {RunLabFixture.Port}");
        binding!.Decisions.Set(IPAddress.Parse(service), up2, rule: 1, TimeSpan.FromMinutes(1));
        var steps = await UdpSteps.RunAsync(lab["host"], clients, RunLabFixture.Port, ipv6, uid: 0, $"send={service}", $"send={service}");
        Assert.Equal(["REFUSED", TwoUplinks.SourceVia("up2", ipv6)], steps);
        Assert.Equal(0, leaks.Read());
    }

    [Fact]
    public async Task A_dual_stack_socket_to_a_v4_mapped_address_follows_the_IPv4_decision()
    {
        SkipUnlessSupported();
        binding!.Decisions.Set(IPAddress.Parse(TwoUplinks.Service4), up2, rule: 1, TimeSpan.FromMinutes(1));
        var steps = await UdpSteps.RunAsync(lab!["host"], clients, RunLabFixture.Port, ipv6: true, uid: 0,
            $"connect=::ffff:{TwoUplinks.Service4}");
        Assert.Equal([TwoUplinks.SourceVia("up2", ipv6: false)], steps.Select(s => s.Replace("::ffff:", "", StringComparison.Ordinal)));
    }

    [Theory]
    [InlineData("tcp", false)]
    [InlineData("tcp", true)]
    [InlineData("connect", false)]
    [InlineData("connect", true)]
    [InlineData("send", false)]
    [InlineData("send", true)]
    public async Task A_decision_for_a_vanished_interface_refuses_the_flow_and_nothing_leaks(string kind, bool ipv6)
    {
        SkipUnlessSupported();
        var service = ipv6 ? TwoUplinks.Service6 : TwoUplinks.Service4;
        var leaks = lab!["host"].CountPackets($"{(ipv6 ? "ip6" : "ip")} daddr {service}");
        binding!.Decisions.Set(IPAddress.Parse(service), 9999, rule: 1, TimeSpan.FromMinutes(1));
        if (kind == "tcp")
        {
            var result = await RunIn(clients, Client("tcp", service));
            Assert.NotEqual(0, result.ExitCode);
        }
        else
        {
            // SO_BINDTOIFINDEX does not check that the index exists: the socket is bound to it,
            // and the kernel's route lookup for that device fails (IPv4 ENODEV, IPv6
            // ENETUNREACH). An unconnected datagram routed before the hook bound it is refused.
            var error = ipv6 ? "ERROR ENETUNREACH" : "ERROR ENODEV";
            var steps = await UdpSteps.RunAsync(lab["host"], clients, RunLabFixture.Port, ipv6, uid: 0, $"{kind}={service}", $"{kind}={service}");
            Assert.Equal([kind == "send" ? "REFUSED" : error, error], steps);
        }
        Assert.Equal(0, leaks.Read());
    }

    [Fact]
    public async Task Bound_sockets_and_Steers_own_processes_are_left_alone()
    {
        SkipUnlessSupported();
        binding!.Decisions.Set(IPAddress.Parse(TwoUplinks.Service4), up2, rule: 1, TimeSpan.FromMinutes(1));
        Assert.Equal(TwoUplinks.SourceVia("up1", ipv6: false),
            await SourceSeen(clients, Clients.TcpCommand(TwoUplinks.Service4, RunLabFixture.Port, device: "up1")));
        Assert.Equal(TwoUplinks.SourceVia(null, ipv6: false), await SourceSeen(own, Client("tcp", TwoUplinks.Service4)));
    }

    private static string[] Client(string kind, string service) => kind switch
    {
        "tcp" => Clients.TcpCommand(service, RunLabFixture.Port),
        _ => Clients.UdpConnectedCommand(service, RunLabFixture.Port),
    };

    private Task<string> SourceSeen(Cgroup cgroup, string[] client) => CgroupClient.SourceSeenAsync(lab!["host"], cgroup, client);

    private Task<ExecResult> RunIn(Cgroup cgroup, string[] client) => CgroupClient.RunAsync(lab!["host"], cgroup, client);
}
