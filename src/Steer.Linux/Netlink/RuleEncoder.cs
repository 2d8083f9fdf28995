using System.Net;
using System.Net.Sockets;
using System.Runtime.InteropServices;
using System.Text;

namespace Steer.Linux.Netlink;

/// <summary>Writes a <see cref="Rule"/> as an RTM_NEWRULE / RTM_DELRULE request body.</summary>
internal static class RuleEncoder
{
    private const int MaxInterfaceNameBytes = 15; // IFNAMSIZ - 1

    /// <summary>Refuses a rule the kernel could only refuse less clearly, before anything is sent.</summary>
    public static void Validate(Rule rule, bool delete)
    {
        if (rule.Family is not (AddressFamily.InterNetwork or AddressFamily.InterNetworkV6))
            throw new ArgumentException($"rule {rule}: family must be IPv4 or IPv6", nameof(rule));
        CheckFamily(rule, rule.Source, "source");
        CheckFamily(rule, rule.Destination, "destination");
        CheckName(rule, rule.InputInterface, "iif");
        CheckName(rule, rule.OutputInterface, "oif");
        CheckPorts(rule, rule.SourcePorts, "sport");
        CheckPorts(rule, rule.DestinationPorts, "dport");
        if (rule.Table is not null && rule.Action != RuleAction.ToTable)
            throw new ArgumentException($"rule {rule}: only a lookup rule has a table", nameof(rule));
        if (!delete && rule.Action == RuleAction.ToTable && rule.Table is null or RouteTable.Unspecified)
            throw new ArgumentException($"rule {rule}: a lookup rule needs a table", nameof(rule));
        if (!delete && rule.Action == RuleAction.Goto && rule.GotoPriority is null)
            throw new ArgumentException($"rule {rule}: a goto rule needs a target priority", nameof(rule));
        if (rule.SuppressPrefixLength is < 0 or > 128)
            throw new ArgumentException($"rule {rule}: suppress_prefixlength must be 0..128", nameof(rule));
    }

    public static void Write(ref NetlinkMessageWriter request, Rule rule)
    {
        var header = request.AddFixed(Rt.FibRuleHdrSize);
        header[0] = rule.Family == AddressFamily.InterNetworkV6 ? Rt.AF_INET6 : Rt.AF_INET;
        header[1] = (byte)(rule.Destination?.PrefixLength ?? 0);
        header[2] = (byte)(rule.Source?.PrefixLength ?? 0);
        header[4] = rule.Table is < 256 and { } small ? (byte)small : (byte)RouteTable.Unspecified;
        header[7] = (byte)rule.Action;
        uint flags = rule.Invert ? Rt.FIB_RULE_INVERT : 0;
        MemoryMarshal.Write(header[8..], in flags);

        if (rule.Priority is { } priority)
            request.AddUInt32(Rt.FRA_PRIORITY, priority);
        if (rule.Source is { } source)
            request.AddAddress(Rt.FRA_SRC, source.BaseAddress);
        if (rule.Destination is { } destination)
            request.AddAddress(Rt.FRA_DST, destination.BaseAddress);
        if (rule.InputInterface is { } iif)
            request.AddString(Rt.FRA_IIFNAME, iif);
        if (rule.OutputInterface is { } oif)
            request.AddString(Rt.FRA_OIFNAME, oif);
        if (rule.FwMark is { } mark)
            request.AddUInt32(Rt.FRA_FWMARK, mark);
        if (rule.FwMask is { } mask)
            request.AddUInt32(Rt.FRA_FWMASK, mask);
        if (rule.IpProtocol is { } ipProtocol)
            request.AddByte(Rt.FRA_IP_PROTO, ipProtocol);
        if (rule.SourcePorts is { } sport)
            WritePorts(ref request, Rt.FRA_SPORT_RANGE, sport);
        if (rule.DestinationPorts is { } dport)
            WritePorts(ref request, Rt.FRA_DPORT_RANGE, dport);
        if (rule.Table is { } table)
            request.AddUInt32(Rt.FRA_TABLE, table);
        if (rule.GotoPriority is { } target)
            request.AddUInt32(Rt.FRA_GOTO, target);
        if (rule.SuppressPrefixLength is { } suppress)
            request.AddUInt32(Rt.FRA_SUPPRESS_PREFIXLEN, (uint)suppress);
        if (rule.Protocol != RouteProtocol.Unspecified)
            request.AddByte(Rt.FRA_PROTOCOL, (byte)rule.Protocol);
    }

    private static void WritePorts(ref NetlinkMessageWriter request, ushort type, PortRange range)
    {
        Span<ushort> ports = [range.Start, range.End];
        request.AddAttribute(type, MemoryMarshal.AsBytes(ports));
    }

    private static void CheckFamily(Rule rule, IPNetwork? network, string what)
    {
        if (network is { } n && n.BaseAddress.AddressFamily != rule.Family)
            throw new ArgumentException($"rule {rule}: the {what} prefix is not {rule.Family}", nameof(rule));
    }

    private static void CheckName(Rule rule, string? name, string what)
    {
        if (name is not null && Encoding.UTF8.GetByteCount(name) is 0 or > MaxInterfaceNameBytes)
            throw new ArgumentException($"rule {rule}: {what} name must be 1..{MaxInterfaceNameBytes} bytes", nameof(rule));
    }

    private static void CheckPorts(Rule rule, PortRange? range, string what)
    {
        if (range is { } r && (r.Start == 0 || r.Start > r.End))
            throw new ArgumentException($"rule {rule}: {what} range {r} is empty or starts at 0", nameof(rule));
    }
}
