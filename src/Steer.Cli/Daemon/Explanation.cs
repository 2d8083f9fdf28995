using System.Net;
using Steer.Daemon;
using Steer.Linux.Netlink;
using Steer.Linux.SocketPlane;
using Steer.Policy.Names;
using Steer.Policy.Rules;

namespace Steer.Cli.Daemon;

/// <summary>`steer explain NAME|ADDRESS`, as data: printed as text or as JSON.</summary>
/// <param name="Rule">The rule that matches ("domain example.com via wg0"), null when none does.</param>
/// <param name="Why">How it matched: "exact name …", "suffix …", "prefix …".</param>
/// <param name="Location">Where the rule is written (steer.yaml:12:5, or the rule state file).</param>
/// <param name="Effect">"via", "reject", "outbound" or "none" (the routing table decides).</param>
/// <param name="Scope">"proxied flows only" when the rule has port, protocol or source conditions
/// (the socket, route and name planes skip such rules); null for a rule every plane uses.</param>
/// <param name="HostRule">When a flow was given (--port, --source, --protocol) and its rule is a
/// flow rule: the rule the socket, route and name planes use for the destination instead ("none" if none).</param>
internal sealed record Explanation(
    string Destination,
    string Kind,
    string? Rule,
    string? Why,
    string? Location,
    string Effect,
    InterfaceState? Interface,
    KernelDecision? Decision,
    string? Scope = null,
    string? HostRule = null);

/// <summary>The flow parts `steer explain` was given: --port, --protocol, --source (each may be absent).</summary>
internal sealed record FlowQuestion(ushort? Port, FlowProtocol Protocol, IPAddress? Source)
{
    public bool IsEmpty => Port is null && Protocol == FlowProtocol.Any && Source is null;
}

/// <summary>The interface a rule names: whether it exists and is up, and the route a socket
/// bound to it would take to the destination (null for names, or when there is none).</summary>
internal sealed record InterfaceState(string Name, int? Index, bool Exists, bool Up, string? Route, string? RouteError);

/// <summary>What the kernel's decision map holds for an address.</summary>
internal sealed record KernelDecision(int InterfaceIndex, string? Interface, uint RuleId, double? SecondsLeft);

internal static class Explainer
{
    /// <summary>Explains <paramref name="text"/> (a name or an address) against
    /// <paramref name="rules"/>, the live interfaces, and the pinned decisions if any.</summary>
    public static Explanation Explain(string text, RuleSet rules, DaemonPaths paths, FlowQuestion? flow = null)
    {
        IPAddress? address = IPAddress.TryParse(text, out var parsed) ? parsed : null;
        RuleMatch? match;
        string? nameText = null;
        if (address is not null)
            match = rules.MatchAddress(address);
        else if (DomainName.TryParse(text, out var name, out var error))
            match = rules.MatchName(nameText = name.Value);
        else
            throw new Steer.Cli.Run.UsageException($"{text}: neither an address nor a name ({error})");
        // The proxy's question has port, protocol and source too; the host planes' has not.
        string? hostRule = null;
        if (flow is { IsEmpty: false })
        {
            var hostMatch = match;
            match = rules.MatchFlow(new FlowKey(nameText, address, flow.Port, flow.Protocol, flow.Source));
            if (match?.Rule.HasConditions == true)
                hostRule = hostMatch?.Rule.ToString() ?? "none";
        }

        using var netlink = NetlinkHandle.Open();
        var rule = match?.Rule;
        var effect = rule?.Action switch
        {
            null => "none",
            ViaAction => "via",
            RejectAction => "reject",
            _ => "outbound",
        };
        var state = rule?.Action is ViaAction via ? Describe(netlink, via.Interface, address) : null;
        KernelDecision? decision = null;
        if (address is not null && HostBinding.IsPinned(paths.HostPins))
        {
            using var host = HostBinding.Adopt(paths.HostPins);
            if (host.Decisions.TryGet(address, out var found))
                decision = new KernelDecision(found.InterfaceIndex, InterfaceName(netlink, found.InterfaceIndex), found.Rule, found.Remaining?.TotalSeconds);
        }
        return new Explanation(text, address is null ? "name" : "address", rule?.ToString(), match?.Why,
            rule?.Location?.ToString(), effect, state, decision, rule?.HasConditions == true ? "proxied flows only" : null, hostRule);
    }

    /// <summary>The name of interface <paramref name="index"/>, or null (gone, or the refusal index).</summary>
    public static string? InterfaceName(NetlinkHandle netlink, int index) =>
        index is > 0 and < NamePlane.Refuse ? netlink.GetLink(index)?.Name : null;

    private static InterfaceState Describe(NetlinkHandle netlink, string name, IPAddress? address)
    {
        var link = netlink.GetLink(name);
        if (link is null)
            return new InterfaceState(name, null, false, false, null, null);
        if (address is null)
            return new InterfaceState(name, link.Index, true, link.IsUp, null, null);
        try
        {
            return new InterfaceState(name, link.Index, true, link.IsUp, netlink.LookupRoute(address, link.Index).ToString(), null);
        }
        catch (NetlinkException e)
        {
            return new InterfaceState(name, link.Index, true, link.IsUp, null, e.Message);
        }
    }

    public static void Print(Explanation e, TextWriter o)
    {
        o.WriteLine($"destination  {e.Destination}");
        if (e.Rule is null)
            o.WriteLine("rule         none: the routing table decides");
        else
            o.WriteLine($"rule         {e.Rule}, {e.Why}{(e.Location is { } at ? $" (at {at})" : "")}");
        if (e.Scope is { } scope)
            o.WriteLine($"applies to   {scope}: the rule has conditions, which only the proxy sees");
        if (e.HostRule is { } host)
            o.WriteLine($"host planes  {(host == "none" ? "no rule: the routing table decides" : host)} (sockets, routes and DNS decide without port or source)");
        if (e.Effect == "reject")
            o.WriteLine("effect       refused: connections fail, DNS answers REFUSED");
        if (e.Interface is { } i)
        {
            if (!i.Exists)
                o.WriteLine($"interface    {i.Name} does not exist: its flows are refused (fail closed)");
            else
                o.WriteLine($"interface    {i.Name} (index {i.Index}), {(i.Up ? "up" : "DOWN: its flows fail until it is up")}");
            if (i.Route is { } route)
                o.WriteLine($"route        bound to {i.Name}: {route}");
            else if (i.RouteError is { } problem)
                o.WriteLine($"route        bound to {i.Name}: none ({problem}); a bound socket cannot reach it — is there a route through {i.Name}?");
        }
        if (e.Kind == "address")
        {
            o.WriteLine(e.Decision is { } d
                ? $"decision     in the kernel: {d.Interface ?? "no interface (refused)"} (ifindex {d.InterfaceIndex}), rule {d.RuleId}, {(d.SecondsLeft is { } left ? $"{left:F0} s left" : "no expiry")}"
                : "decision     none in the kernel");
        }
    }
}
