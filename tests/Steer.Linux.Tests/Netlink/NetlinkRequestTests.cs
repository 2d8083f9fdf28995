using Steer.Linux.Native;
using Steer.Linux.Netlink;
using Xunit;
using K = Steer.Linux.Tests.Netlink.KernelMessages;

namespace Steer.Linux.Tests.Netlink;

/// <summary>The request/reply exchange against scripted replies, and kernel errors for real.</summary>
public sealed class NetlinkRequestTests
{
    [Fact]
    public void A_dump_spread_over_datagrams_is_collected_until_DONE()
    {
        using var kernel = new ScriptedKernel(seq => [
            K.Concat(K.Link(1, "lo", sequence: seq), K.Link(2, "eth0", sequence: seq)),
            K.Link(3, "eth1", sequence: seq),
            K.Done(seq)]);

        Assert.Equal(["lo", "eth0", "eth1"], kernel.Handle.ListLinks().Select(l => l.Name));
    }

    [Fact]
    public void An_interrupted_dump_is_drained_then_thrown_and_the_next_request_is_clean()
    {
        using var kernel = new ScriptedKernel(
            seq => [
                K.Link(1, "lo", sequence: seq),
                K.Link(2, "eth0", sequence: seq, messageFlags: Nl.NLM_F_MULTI | Nl.NLM_F_DUMP_INTR),
                K.Link(3, "eth1", sequence: seq, messageFlags: Nl.NLM_F_MULTI | Nl.NLM_F_DUMP_INTR),
                K.Done(seq, messageFlags: Nl.NLM_F_MULTI | Nl.NLM_F_DUMP_INTR)],
            seq => [K.Link(1, "lo", sequence: seq), K.Done(seq)]);

        Assert.Throws<NetlinkDumpInterruptedException>(() => kernel.Handle.ListLinks());
        Assert.Equal(["lo"], kernel.Handle.ListLinks().Select(l => l.Name));
    }

    [Fact]
    public void Replies_with_another_sequence_number_are_ignored()
    {
        using var kernel = new ScriptedKernel(seq => [
            K.Concat(K.Link(9, "stale", sequence: seq - 1), K.Done(seq - 1)),
            K.Link(1, "lo", sequence: seq),
            K.Done(seq)]);

        Assert.Equal(["lo"], kernel.Handle.ListLinks().Select(l => l.Name));
    }

    [Fact]
    public void A_failed_dump_reports_errno_and_extended_ack_from_DONE()
    {
        using var kernel = new ScriptedKernel(seq => [K.Done(seq, errno: Errno.EBUSY, ack: "try later")]);

        var e = Assert.Throws<NetlinkException>(() => kernel.Handle.ListLinks());
        Assert.Equal(Errno.EBUSY, e.Errno);
        Assert.Equal("try later", e.ExtendedAck);
        Assert.Contains("try later", e.Message);
    }

    [Fact]
    public void GetLink_returns_the_reply_before_the_ACK_and_null_on_ENODEV()
    {
        using var kernel = new ScriptedKernel(
            seq => [K.Link(4, "wg0", kind: "wireguard", messageFlags: 0, sequence: seq), K.Error(seq)],
            seq => [K.Error(seq, errno: Errno.ENODEV)]);

        Assert.Equal(new Link(4, "wg0", true, true, 1500, "wireguard", 1), kernel.Handle.GetLink("wg0"));
        Assert.Null(kernel.Handle.GetLink("wg1"));
    }

    [Fact]
    public void The_real_kernel_explains_a_refused_request_in_its_extended_ack()
    {
        // IFLA_IFNAME longer than IFNAMSIZ fails the kernel's attribute policy; GetLink never
        // sends that, so the request is built here by hand.
        using var socket = NetlinkSocket.Open();
        var buffer = new byte[128];
        var request = new NetlinkMessageWriter(buffer, Rt.RTM_GETLINK, Nl.NLM_F_REQUEST | Nl.NLM_F_ACK);
        request.AddFixed(Rt.IfInfoMsgSize);
        request.AddString(Rt.IFLA_IFNAME, "a-name-much-longer-than-ifnamsiz");
        var bytes = request.Finish(7).ToArray();

        var e = Assert.Throws<NetlinkException>(() =>
            NetlinkRequest.Execute(socket, bytes, 7, "RTM_GETLINK", (in NetlinkMessage _) => { }));
        Assert.NotEqual(0, e.Errno);
        Assert.False(string.IsNullOrEmpty(e.ExtendedAck), e.Message);
    }
}
