using System.Net;
using System.Net.Sockets;
using System.Text;

namespace Steer.Linux.Netlink;

/// <summary>FR_ACT_*: what a matching rule does.</summary>
public enum RuleAction : byte
{
    Unspecified = 0,
    /// <summary><c>lookup TABLE</c>.</summary>
    ToTable = 1,
    /// <summary><c>goto PRIORITY</c>: jump to a later rule.</summary>
    Goto = 2,
    Nop = 3,
    Blackhole = 6,
    Unreachable = 7,
    Prohibit = 8,
}

/// <summary>An inclusive port range of a rule selector (struct fib_rule_port_range).</summary>
public readonly record struct PortRange(ushort Start, ushort End)
{
    public static PortRange Single(ushort port) => new(port, port);

    /// <summary>"80" or "1000-2000", as ip prints it.</summary>
    public override string ToString() => Start == End ? $"{Start}" : $"{Start}-{End}";
}

/// <summary>
/// A policy routing rule as <c>ip rule</c> shows it. Only data: encoding lives in
/// <see cref="RuleEncoder"/>, decoding in <see cref="RuleDecoder"/>. Unset selectors match
/// everything; when deleting, unset fields match any rule.
/// </summary>
public sealed record Rule
{
    /// <summary>IPv4 or IPv6: the two have separate rule lists.</summary>
    public required AddressFamily Family { get; init; }

    /// <summary>FRA_PRIORITY, lower is tried first. Null when adding lets the kernel pick one just
    /// below the first rule after priority 0; a dumped rule always has one.</summary>
    public uint? Priority { get; init; }

    /// <summary><c>not</c>: the rule applies to packets its selectors do <em>not</em> match.</summary>
    public bool Invert { get; init; }

    public IPNetwork? Source { get; init; }
    public IPNetwork? Destination { get; init; }

    /// <summary><c>iif NAME</c>: packets arriving on that interface (<c>lo</c>: locally generated).</summary>
    public string? InputInterface { get; init; }

    /// <summary><c>oif NAME</c>: locally generated packets from sockets bound to that interface.</summary>
    public string? OutputInterface { get; init; }

    public uint? FwMark { get; init; }

    /// <summary>The bits of the mark compared; null is all of them (0xffffffff).</summary>
    public uint? FwMask { get; init; }

    /// <summary><c>ipproto</c>: an IPPROTO_* number (6 TCP, 17 UDP).</summary>
    public byte? IpProtocol { get; init; }

    public PortRange? SourcePorts { get; init; }
    public PortRange? DestinationPorts { get; init; }

    public RuleAction Action { get; init; } = RuleAction.ToTable;

    /// <summary>The table of a <see cref="RuleAction.ToTable"/> rule; null for other actions.</summary>
    public uint? Table { get; init; }

    /// <summary>The priority a <see cref="RuleAction.Goto"/> rule jumps to.</summary>
    public uint? GotoPriority { get; init; }

    /// <summary><c>suppress_prefixlength N</c>: ignore the table's answer when its prefix is N bits or shorter.</summary>
    public int? SuppressPrefixLength { get; init; }

    /// <summary>Who owns the rule (FRA_PROTOCOL). Steer tags its rules with its own number.</summary>
    public RouteProtocol Protocol { get; init; } = RouteProtocol.Unspecified;

    /// <summary>The <c>ip rule</c> line, for example
    /// <c>100:	from all fwmark 0x1 lookup 100 proto 250</c>.</summary>
    public override string ToString()
    {
        var text = new StringBuilder();
        if (Priority is { } priority)
            text.Append(priority).Append(":\t");
        if (Invert)
            text.Append("not ");
        text.Append("from ").Append(Source is { } source ? source.ToString() : "all");
        if (Destination is { } destination)
            text.Append(" to ").Append(destination);
        if (FwMark is not null || FwMask is not null)
        {
            text.Append(" fwmark 0x").Append((FwMark ?? 0).ToString("x", System.Globalization.CultureInfo.InvariantCulture));
            if (FwMask is { } mask && mask != uint.MaxValue)
                text.Append("/0x").Append(mask.ToString("x", System.Globalization.CultureInfo.InvariantCulture));
        }
        if (InputInterface is not null)
            text.Append(" iif ").Append(InputInterface);
        if (OutputInterface is not null)
            text.Append(" oif ").Append(OutputInterface);
        if (IpProtocol is { } ipProtocol)
            text.Append(" ipproto ").Append(ipProtocol switch { 6 => "tcp", 17 => "udp", 1 => "icmp", 58 => "ipv6-icmp", _ => ipProtocol.ToString(System.Globalization.CultureInfo.InvariantCulture) });
        if (SourcePorts is { } sport)
            text.Append(" sport ").Append(sport);
        if (DestinationPorts is { } dport)
            text.Append(" dport ").Append(dport);
        text.Append(Action switch
        {
            RuleAction.ToTable => " lookup " + RouteTable.Name(Table ?? RouteTable.Unspecified),
            RuleAction.Goto => " goto " + GotoPriority,
            RuleAction.Nop => " nop",
            RuleAction.Blackhole => " blackhole",
            RuleAction.Unreachable => " unreachable",
            RuleAction.Prohibit => " prohibit",
            _ => " action " + (byte)Action,
        });
        if (SuppressPrefixLength is { } suppress)
            text.Append(" suppress_prefixlength ").Append(suppress);
        if (Protocol is not (RouteProtocol.Unspecified or RouteProtocol.Kernel))
            text.Append(" proto ").Append(RouteWords.Protocol(Protocol));
        return text.ToString();
    }
}
