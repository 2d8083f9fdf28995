using System.Globalization;
using System.Net;
using Steer.Linux.Netlink;
using Steer.Routing.Kernel;
using Steer.Routing.Model;

namespace Steer.Routing.Explain;

/// <summary>The selectors of <c>steer explain --from ADDR --iif IFACE [--oif IFACE] [--mark M] DST</c>:
/// a request from DST to ADDR arrived on IFACE; which way does the reply go?</summary>
public sealed record ReplyQuestion(IPAddress Destination, IPAddress? From, string? ArrivedOn, string? BoundTo, uint? Mark);

/// <summary>
/// Explains the path of a reply with the kernel's own answer: the mark conntrack gives the
/// connection (read from Steer's nft chains), the route lookup with those selectors, and the
/// first rule that matches them and points at the table the route came from.
/// </summary>
public static class RouteExplainer
{
    public static IReadOnlyList<string> Explain(RouteKernel kernel, ReplyQuestion question)
    {
        ArgumentNullException.ThrowIfNull(kernel);
        ArgumentNullException.ThrowIfNull(question);
        var lines = new List<string>();
        var netlink = kernel.Netlink;
        var marks = kernel.ReadMarks();
        uint? mark = question.Mark;
        string from = question.From?.ToString() ?? "(any local address)";
        if (question.ArrivedOn is { } iif)
        {
            if (netlink.GetLink(iif) is null)
                throw new InvalidOperationException($"--iif {iif}: no such interface");
            var binding = marks.FirstOrDefault(m => m.Interface == iif);
            lines.Add(binding is null
                ? $"request      {question.Destination} → {from} arrived on {iif}: not a symmetric uplink, Steer does not mark the connection"
                : $"request      {question.Destination} → {from} arrived on {iif}: Steer marks the connection 0x{binding.Mark:x} (ct mark, return: symmetric)");
            mark ??= binding?.Mark;
        }
        int? oif = null;
        if (question.BoundTo is { } bound)
            oif = (netlink.GetLink(bound) ?? throw new InvalidOperationException($"--oif {bound}: no such interface")).Index;

        var query = new RouteQuery(question.Destination) { Source = question.From, OutputInterface = oif, Mark = mark };
        lines.Add($"reply        {from} → {question.Destination}{(mark is { } m ? string.Create(CultureInfo.InvariantCulture, $", packet mark 0x{m:x}") : "")}{(question.BoundTo is null ? "" : $", socket bound to {question.BoundTo}")}");
        Route route;
        try
        {
            route = netlink.LookupRoute(query);
        }
        catch (NetlinkException e)
        {
            lines.Add($"route        none: {e.Message}");
            return lines;
        }
        var names = new HostFacts(netlink.ListLinks(), [], [], new Dictionary<string, string>());
        var rule = netlink.ListRules(question.Destination.AddressFamily)
            .OrderBy(r => r.Priority)
            .FirstOrDefault(r => r.Action == RuleAction.ToTable && r.Table == route.Table && Matches(r, question, mark));
        lines.Add(rule is null
            ? $"rule         none found for table {RouteTable.Name(route.Table)}"
            : $"rule         {RouteText.Rule(rule)}{(rule.Protocol == Ownership.Protocol ? $" (Steer's: {Why(rule, marks)})" : " (not Steer's)")}");
        lines.Add($"route        {RouteText.Route(route with { Protocol = RouteProtocol.Boot }, names)}");
        var leaves = names.NameOf(route.OutputInterface);
        lines.Add(question.ArrivedOn is null ? $"leaves       {leaves}"
            : leaves == question.ArrivedOn ? $"leaves       {leaves}, where the request came in (symmetric)"
            : $"leaves       {leaves}, NOT {question.ArrivedOn} where the request came in (asymmetric: the client may drop it)");
        return lines;
    }

    private static string Why(Rule rule, IReadOnlyList<MarkBinding> marks) =>
        rule.OutputInterface is { } oif ? $"sockets bound to uplink {oif}"
        : rule.FwMark is { } fwmark ? $"return path of uplink {marks.FirstOrDefault(m => m.Mark == fwmark)?.Interface ?? "?"}"
        : rule.Source is { } source ? $"source {source}"
        : "uplink table";

    /// <summary>The kernel's rule match (fib_rule_match) for a locally sent packet: iif is lo.</summary>
    private static bool Matches(Rule rule, ReplyQuestion question, uint? mark)
    {
        bool match =
            (rule.Source is not { } source || (question.From is { } f ? source.Contains(f) : source.PrefixLength == 0))
            && (rule.Destination is not { } destination || destination.Contains(question.Destination))
            && (rule.InputInterface is null || rule.InputInterface == "lo")
            && (rule.OutputInterface is null || rule.OutputInterface == question.BoundTo)
            && (rule.FwMark is not { } fwmark || ((mark ?? 0) & (rule.FwMask ?? uint.MaxValue)) == fwmark)
            && rule.IpProtocol is null && rule.SourcePorts is null && rule.DestinationPorts is null;
        return match != rule.Invert;
    }
}
