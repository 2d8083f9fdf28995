using System.Runtime.InteropServices;
using Steer.Linux.Netlink;

namespace Steer.Linux.Tests.Netlink;

/// <summary>Builds datagrams shaped like the kernel's replies, with the product's own writer.</summary>
internal static class KernelMessages
{
    public static byte[] Link(int index, string name, uint flags = 0x10001, uint mtu = 1500, string? kind = "veth",
        uint change = 0, ushort messageFlags = Nl.NLM_F_MULTI, uint sequence = 1, ushort type = Rt.RTM_NEWLINK)
    {
        var buffer = new byte[512];
        var w = new NetlinkMessageWriter(buffer, type, messageFlags);
        var header = w.AddFixed(Rt.IfInfoMsgSize);
        ushort arphrd = 1;
        MemoryMarshal.Write(header[2..], in arphrd);
        MemoryMarshal.Write(header[4..], in index);
        MemoryMarshal.Write(header[8..], in flags);
        MemoryMarshal.Write(header[12..], in change);
        w.AddString(Rt.IFLA_IFNAME, name);
        w.AddUInt32(Rt.IFLA_MTU, mtu);
        if (kind is not null)
        {
            int info = w.BeginNested(Rt.IFLA_LINKINFO);
            w.AddString(Rt.IFLA_INFO_KIND, kind);
            w.EndNested(info);
        }
        return w.Finish(sequence).ToArray();
    }

    public static byte[] Address(int index, byte[] address, byte prefixLength, string? label = null,
        ushort messageFlags = Nl.NLM_F_MULTI, uint sequence = 1, ushort type = Rt.RTM_NEWADDR)
    {
        var buffer = new byte[256];
        var w = new NetlinkMessageWriter(buffer, type, messageFlags);
        var header = w.AddFixed(Rt.IfAddrMsgSize);
        header[0] = address.Length == 4 ? Rt.AF_INET : Rt.AF_INET6;
        header[1] = prefixLength;
        header[2] = 0x80; // IFA_F_PERMANENT
        MemoryMarshal.Write(header[4..], in index);
        w.AddAttribute(Rt.IFA_ADDRESS, address);
        if (address.Length == 4)
            w.AddAttribute(Rt.IFA_LOCAL, address);
        if (label is not null)
            w.AddString(Rt.IFA_LABEL, label);
        return w.Finish(sequence).ToArray();
    }

    /// <summary>A route message as a dump or notification carries it, written by the product's encoder
    /// (requests and replies share the layout).</summary>
    public static byte[] Route(Steer.Linux.Netlink.Route route, ushort type = Rt.RTM_NEWROUTE, ushort messageFlags = Nl.NLM_F_MULTI, uint sequence = 1)
    {
        var buffer = new byte[512];
        var w = new NetlinkMessageWriter(buffer, type, messageFlags);
        RouteEncoder.Write(ref w, route, delete: false);
        return w.Finish(sequence).ToArray();
    }

    public static byte[] Rule(Steer.Linux.Netlink.Rule rule, ushort type = Rt.RTM_NEWRULE, ushort messageFlags = Nl.NLM_F_MULTI, uint sequence = 1)
    {
        var buffer = new byte[512];
        var w = new NetlinkMessageWriter(buffer, type, messageFlags);
        RuleEncoder.Write(ref w, rule);
        return w.Finish(sequence).ToArray();
    }

    public static byte[] Done(uint sequence = 1, int errno = 0, string? ack = null, ushort messageFlags = Nl.NLM_F_MULTI)
    {
        var buffer = new byte[256];
        var w = new NetlinkMessageWriter(buffer, Nl.NLMSG_DONE, (ushort)(messageFlags | (ack is null ? 0 : Nl.NLM_F_ACK_TLVS)));
        int error = -errno;
        MemoryMarshal.Write(w.AddFixed(4), in error);
        if (ack is not null)
            w.AddString(Nl.NLMSGERR_ATTR_MSG, ack);
        return w.Finish(sequence).ToArray();
    }

    /// <summary>An NLMSG_ERROR as sent with NETLINK_CAP_ACK and NETLINK_EXT_ACK on; errno 0 is an ACK.</summary>
    public static byte[] Error(uint sequence = 1, int errno = 0, string? ack = null)
    {
        var buffer = new byte[256];
        var w = new NetlinkMessageWriter(buffer, Nl.NLMSG_ERROR, (ushort)(Nl.NLM_F_CAPPED | (ack is null ? 0 : Nl.NLM_F_ACK_TLVS)));
        var fixedPart = w.AddFixed(4 + Nl.HeaderSize);
        int error = -errno;
        uint echoedLength = 32;
        MemoryMarshal.Write(fixedPart, in error);
        MemoryMarshal.Write(fixedPart[4..], in echoedLength);
        MemoryMarshal.Write(fixedPart[12..], in sequence);
        if (ack is not null)
            w.AddString(Nl.NLMSGERR_ATTR_MSG, ack);
        return w.Finish(sequence).ToArray();
    }

    public static byte[] Concat(params byte[][] messages) => messages.SelectMany(m => m).ToArray();
}
