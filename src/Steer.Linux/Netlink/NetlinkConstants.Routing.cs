namespace Steer.Linux.Netlink;

// Values from <linux/rtnetlink.h> and <linux/fib_rules.h>.

internal static partial class Rt
{
    public const ushort RTM_NEWROUTE = 24, RTM_DELROUTE = 25, RTM_GETROUTE = 26;
    public const ushort RTM_NEWRULE = 32, RTM_DELRULE = 33, RTM_GETRULE = 34;

    public const uint RTNLGRP_IPV4_ROUTE = 7, RTNLGRP_IPV4_RULE = 8, RTNLGRP_IPV6_ROUTE = 11, RTNLGRP_IPV6_RULE = 19;

    /// <summary>struct rtmsg: family, dst_len, src_len, tos, table, protocol, scope, type; u32 flags.</summary>
    public const int RtMsgSize = 12;

    public const ushort RTA_DST = 1, RTA_SRC = 2, RTA_IIF = 3, RTA_OIF = 4, RTA_GATEWAY = 5, RTA_PRIORITY = 6,
        RTA_PREFSRC = 7, RTA_MULTIPATH = 9, RTA_TABLE = 15, RTA_VIA = 18;

    /// <summary>rtm_flags: a copy in the route cache, not a configured route.</summary>
    public const uint RTM_F_CLONED = 0x200;
    /// <summary>rtm_flags (RTNH_F_ONLINK): the gateway is on the link even if no subnet says so.</summary>
    public const uint RTNH_F_ONLINK = 4;

    /// <summary>struct fib_rule_hdr: family, dst_len, src_len, tos, table, res1, res2, action; u32 flags.</summary>
    public const int FibRuleHdrSize = 12;

    public const ushort FRA_DST = 1, FRA_SRC = 2, FRA_IIFNAME = 3, FRA_GOTO = 4, FRA_PRIORITY = 6, FRA_FWMARK = 10,
        FRA_SUPPRESS_PREFIXLEN = 14, FRA_TABLE = 15, FRA_FWMASK = 16, FRA_OIFNAME = 17, FRA_PROTOCOL = 21,
        FRA_IP_PROTO = 22, FRA_SPORT_RANGE = 23, FRA_DPORT_RANGE = 24;

    /// <summary>fib_rule_hdr.flags: "not", the selector is inverted.</summary>
    public const uint FIB_RULE_INVERT = 2;
}
