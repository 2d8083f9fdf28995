using System.Net;
using Steer.Integration.Tests.LabTests;
using Steer.Lab;
using Steer.Linux.Mounts;
using Xunit;

namespace Steer.Integration.Tests.Run;

/// <summary>`steer run --via IFACE --cgroup PATH` binds a cgroup someone else manages (a
/// service's) until `steer unbind --cgroup PATH`; processes that join it later are steered too.</summary>
public sealed class CgroupBindingTests(RunLabFixture fixture) : IClassFixture<RunLabFixture>
{
    [Fact]
    public async Task A_bound_cgroup_uses_the_uplink_until_unbound()
    {
        TwoUplinks.SkipUnlessSupported();
        // Steer's bpffs must live in the host's mount namespace: mounted from inside
        // `ip netns exec` (a private mount namespace) the pins would vanish with that command.
        SteerMounts.BpfRoot();
        // Inside `ip netns exec` /sys is another mount: the cgroup is named the way
        // /proc/PID/cgroup names it, relative to the cgroup2 root, which steer finds itself.
        var name = $"/steer-test-{Guid.NewGuid():N}";
        var cgroup = SteerMounts.CgroupRoot() + name;
        Directory.CreateDirectory(cgroup);
        var host = fixture.Lab!["host"];
        try
        {
            (await host.ExecAsync(SteerBinary.Path, "run", "--via", "up2", "--cgroup", name)).EnsureSuccess();
            Assert.Equal(TwoUplinks.SourceVia("up2", ipv6: false), await SourceSeenFromInside(host, cgroup));
            Assert.Equal(TwoUplinks.SourceVia("up2", ipv6: true), await SourceSeenFromInside(host, cgroup, ipv6: true));

            var again = await host.ExecAsync(SteerBinary.Path, "run", "--via", "up1", "--cgroup", name);
            Assert.Equal(1, again.ExitCode);
            Assert.Contains("already bound", again.Stderr, StringComparison.Ordinal);

            (await host.ExecAsync(SteerBinary.Path, "unbind", "--cgroup", name)).EnsureSuccess();
            Assert.Equal(TwoUplinks.SourceVia(null, ipv6: false), await SourceSeenFromInside(host, cgroup));
            Assert.Empty(Directory.GetDirectories(SteerMounts.BpfDirectory, "bind-*"));

            var unbound = await host.ExecAsync(SteerBinary.Path, "unbind", "--cgroup", name);
            Assert.Equal(1, unbound.ExitCode);
            Assert.Contains("not bound by Steer", unbound.Stderr, StringComparison.Ordinal);
        }
        finally
        {
            await host.ExecAsync(SteerBinary.Path, "unbind", "--cgroup", name);
            Directory.Delete(cgroup);
        }
    }

    private static Task<string> SourceSeenFromInside(LabHost host, string cgroup, bool ipv6 = false) =>
        CgroupClient.SourceSeenAsync(host, new Steer.Linux.Cgroups.Cgroup(cgroup), Clients.TcpCommand(ipv6 ? TwoUplinks.Service6 : TwoUplinks.Service4, RunLabFixture.Port));
}
