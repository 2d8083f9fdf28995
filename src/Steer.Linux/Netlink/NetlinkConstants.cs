namespace Steer.Linux.Netlink;

// Values from <linux/netlink.h>, <linux/rtnetlink.h>, <linux/if_link.h>, <linux/if_addr.h>.
// Only what this layer reads or writes; the names keep the kernel's spelling so they can be grepped.

/// <summary>Generic netlink framing: message types, flags and socket options.</summary>
internal static class Nl
{
    public const int HeaderSize = 16;   // sizeof(struct nlmsghdr)
    public const int AttrHeaderSize = 4; // sizeof(struct nlattr) == sizeof(struct rtattr)
    public const int Alignment = 4;      // NLMSG_ALIGNTO == NLA_ALIGNTO

    public const ushort NLMSG_NOOP = 1, NLMSG_ERROR = 2, NLMSG_DONE = 3, NLMSG_OVERRUN = 4;

    public const ushort NLM_F_REQUEST = 0x1, NLM_F_MULTI = 0x2, NLM_F_ACK = 0x4, NLM_F_DUMP_INTR = 0x10;
    public const ushort NLM_F_ROOT = 0x100, NLM_F_MATCH = 0x200, NLM_F_DUMP = NLM_F_ROOT | NLM_F_MATCH;
    // The same bits mean something else on NEW requests: how to treat an existing object.
    public const ushort NLM_F_REPLACE = 0x100, NLM_F_EXCL = 0x200, NLM_F_CREATE = 0x400;
    // Flags the kernel sets on NLMSG_ERROR replies.
    public const ushort NLM_F_CAPPED = 0x100, NLM_F_ACK_TLVS = 0x200;

    public const ushort NLA_F_NESTED = 0x8000, NLA_F_NET_BYTEORDER = 0x4000;
    public const ushort NLA_TYPE_MASK = unchecked((ushort)~(NLA_F_NESTED | NLA_F_NET_BYTEORDER));

    public const ushort NLMSGERR_ATTR_MSG = 1;

    public const int SOL_NETLINK = 270;
    public const int NETLINK_ADD_MEMBERSHIP = 1, NETLINK_CAP_ACK = 10, NETLINK_EXT_ACK = 11;
    public const int NETLINK_ROUTE = 0;

    public static int Align(int length) => (length + Alignment - 1) & ~(Alignment - 1);
}

/// <summary>rtnetlink message types, multicast groups and attributes of links and addresses;
/// routes and rules are in NetlinkConstants.Routing.cs.</summary>
internal static partial class Rt
{
    public const ushort RTM_NEWLINK = 16, RTM_DELLINK = 17, RTM_GETLINK = 18, RTM_SETLINK = 19;
    public const ushort RTM_NEWADDR = 20, RTM_DELADDR = 21, RTM_GETADDR = 22;

    public const uint RTNLGRP_LINK = 1, RTNLGRP_IPV4_IFADDR = 5, RTNLGRP_IPV6_IFADDR = 9;

    public const byte AF_UNSPEC = 0, AF_INET = 2, AF_INET6 = 10;

    public const int IfInfoMsgSize = 16; // struct ifinfomsg
    public const int IfAddrMsgSize = 8;  // struct ifaddrmsg

    public const ushort IFLA_IFNAME = 3, IFLA_MTU = 4, IFLA_LINKINFO = 18, IFLA_NET_NS_FD = 28, IFLA_EXT_MASK = 29;
    public const ushort IFLA_INFO_KIND = 1, IFLA_INFO_DATA = 2;
    public const ushort VETH_INFO_PEER = 1; // its payload is a struct ifinfomsg, then IFLA_* of the peer
    public const uint RTEXT_FILTER_SKIP_STATS = 1 << 3;

    public const ushort IFA_ADDRESS = 1, IFA_LOCAL = 2, IFA_LABEL = 3, IFA_FLAGS = 8;

    public const uint IFF_UP = 0x1, IFF_LOWER_UP = 0x10000;

    /// <summary>The ifi_change value the kernel puts on RTM_NEWLINK when a link appears
    /// (registration, or arrival from another namespace) rather than changes.</summary>
    public const uint IfiChangeNewLink = 0xFFFF_FFFF;
}
