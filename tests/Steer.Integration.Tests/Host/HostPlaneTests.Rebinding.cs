using System.Net;
using Steer.Integration.Tests.LabTests;
using Steer.Integration.Tests.Run;
using Steer.Linux.Cgroups;
using Steer.Linux.SocketPlane;
using Steer.Policy;
using Xunit;

namespace Steer.Integration.Tests.Host;

/// <summary>
/// Sockets the host plane bound, meeting their next address; and the order in which a `steer
/// run`-like binding on a child cgroup and the host plane on its parent see a socket.
/// </summary>
public sealed partial class HostPlaneTests
{
    /// <summary>The server's address on the up1 link: reached through either uplink (the server
    /// answers from it on both), so the source it sees says which one a datagram took.</summary>
    private const string ServerOnUp1 = "10.1.0.1";

    [Fact]
    public async Task A_socket_bound_here_keeps_its_binding_for_undecided_addresses_and_is_rebound_for_another_decision()
    {
        SkipUnlessSupported();
        binding!.Decisions.Set(IPAddress.Parse(TwoUplinks.Service4), up2, rule: 1, TimeSpan.FromMinutes(1));
        var steps = await UdpSteps.RunAsync(lab!["host"], clients, RunLabFixture.Port, ipv6: false, uid: 0,
            $"send={TwoUplinks.Service4}", $"send={TwoUplinks.Service4}", // bound here: up2
            $"send={ServerOnUp1}",                                        // undecided: keeps up2
            $"connect={TwoUplinks.Service4}");                            // same decision: nothing to do
        Assert.Equal(["REFUSED", "10.2.0.2", "10.2.0.2", "10.2.0.2"], steps);

        // The same socket, now to an address decided for up1: rebound (root may), the datagram
        // routed under the old binding refused; and a connect() is rebound before it routes.
        // (Not a second connect: a UDP socket keeps the source address its first connect()
        // chose, so after a move to another uplink its replies could not come back.)
        binding.Decisions.Set(IPAddress.Parse(ServerOnUp1), up1, rule: 2, TimeSpan.FromMinutes(1));
        var leaks = lab["host"].CountPackets($"oifname \"up2\" ip daddr {ServerOnUp1}");
        steps = await UdpSteps.RunAsync(lab["host"], clients, RunLabFixture.Port, ipv6: false, uid: 0,
            $"send={TwoUplinks.Service4}", $"send={TwoUplinks.Service4}",
            $"send={ServerOnUp1}", $"send={ServerOnUp1}",
            $"connect={TwoUplinks.Service4}");
        Assert.Equal(["REFUSED", "10.2.0.2", "REFUSED", "10.1.0.2", "10.2.0.2"], steps);
        Assert.Equal(0, leaks.Read());
    }

    [Fact]
    public async Task An_unprivileged_socket_bound_here_is_refused_for_another_decision_never_leaked()
    {
        SkipUnlessSupported();
        binding!.Decisions.Set(IPAddress.Parse(TwoUplinks.Service4), up2, rule: 1, TimeSpan.FromMinutes(1));
        binding.Decisions.Set(IPAddress.Parse(ServerOnUp1), up1, rule: 2, TimeSpan.FromMinutes(1));
        var leaks = lab!["host"].CountPackets($"oifname \"up2\" ip daddr {ServerOnUp1}");
        // Without CAP_NET_RAW the kernel refuses to change a binding, also to our hook.
        var steps = await UdpSteps.RunAsync(lab["host"], clients, RunLabFixture.Port, ipv6: false, uid: 65534,
            $"send={TwoUplinks.Service4}", $"send={TwoUplinks.Service4}",
            $"send={ServerOnUp1}", $"send={ServerOnUp1}", $"connect={ServerOnUp1}");
        Assert.Equal(["REFUSED", "10.2.0.2", "REFUSED", "REFUSED", "REFUSED"], steps);
        Assert.Equal(0, leaks.Read());
    }

    [Fact]
    public async Task A_child_cgroups_programs_run_before_the_host_plane_on_its_parent()
    {
        SkipUnlessSupported();
        // A `steer run --via up1` binding, excluding Service4, on a cgroup below the host plane's
        // and outside Steer's own subtree. Both destinations are decided for up2.
        var runLike = Cgroup.Create(Path.Combine(attachPoint, "run-like"));
        try
        {
            var excluded = CidrList.Of(Cidr.Parse($"{TwoUplinks.Service4}/32"));
            using var run = RunBinding.Attach(runLike, new RunBindingOptions("up1", up1, excluded, Dns: null), pinDirectory: null);
            binding!.Decisions.Set(IPAddress.Parse(TwoUplinks.Service4), up2, rule: 1, TimeSpan.FromMinutes(1));
            binding.Decisions.Set(IPAddress.Parse(TwoUplinks.Service6), up2, rule: 1, TimeSpan.FromMinutes(1));

            // Steered by the run: bound to up1 by the child's program first, so the host plane
            // finds a socket bound by someone else and leaves it alone.
            Assert.Equal(TwoUplinks.SourceVia("up1", ipv6: true), await SourceSeen(runLike, Client("tcp", TwoUplinks.Service6)));
            // Excluded by the run: left unbound by the child's program, then bound by the
            // host plane. Were the parent first, the run would have unbound it again (root may),
            // and it would leave by the main table's up1.
            Assert.Equal(TwoUplinks.SourceVia("up2", ipv6: false), await SourceSeen(runLike, Client("tcp", TwoUplinks.Service4)));
        }
        finally
        {
            runLike.TryRemove(TimeSpan.FromSeconds(2));
        }
    }
}
