using Xunit;
using Steer.Linux.Native;

namespace Steer.Linux.Tests.Netlink;

public sealed class NetNamespaceOrphanTests
{
    [Fact]
    public void A_lab_of_a_live_process_is_not_an_orphan() =>
        Assert.False(NetNamespace.IsOrphan($"steer-demo-{Environment.ProcessId}-host", "steer-demo-"));

    [Fact]
    public void A_lab_of_a_dead_process_is_an_orphan()
    {
        // PIDs above pid_max (at most 2^22) never exist.
        Assert.True(NetNamespace.IsOrphan("steer-demo-99999999-host", "steer-demo-"));
        Assert.True(NetNamespace.IsOrphan("steer-demo-99999999", "steer-demo-"));
    }

    [Theory]
    [InlineData("other-99999999")]          // another prefix: not ours to judge
    [InlineData("steer-demo-")]              // no PID
    [InlineData("steer-demo-abc-host")]      // not a PID
    public void Names_that_do_not_carry_a_pid_are_never_orphans(string name) =>
        Assert.False(NetNamespace.IsOrphan(name, "steer-demo-"));
}
