using System.Net;
using Steer.Policy.Configuration;
using Steer.Policy.Rules;
using Steer.Proxy.Native;

namespace Steer.Proxy.Routing;

/// <summary>
/// Picks the outbound of a flow from the shared rule model (<see cref="RuleSet.MatchFlow"/>): a name
/// (sniffed SNI/Host, the SOCKS request, or the resolver's address → name map) is matched first,
/// exact name before the longest suffix, then the address by longest prefix, then rules without a
/// destination, then <c>proxy.default</c>; at each level rules whose port, protocol and source
/// conditions the flow meets come before the plain rule. <c>auto</c> means the
/// interface of the main table's default route for the destination's family, as it is now; with no
/// such route the flow is refused (fail closed), never sent unbound.
/// </summary>
public sealed class OutboundSelector(RuleSet rules, ProxySettings settings, IDefaultInterfaces defaults, Func<IPAddress, string?>? names)
{
    public RuleSet Rules { get; } = rules;

    public ProxySettings Settings { get; } = settings;

    /// <summary>True when some rule matches names, so a flow without a name is worth sniffing.</summary>
    public bool HasNameRules { get; } = rules.HasNameRules;

    /// <summary>The resolver's name for an address, when it has one.</summary>
    public string? NameOf(in FlowEndpoint destination)
    {
        if (names is null)
            return null;
        try { return names(destination.ToIPAddress()); }
        catch (InvalidOperationException) { return null; }
    }

    /// <param name="source">The client's address and port (the flow's source, as the inbound saw it).</param>
    /// <param name="udp">The flow's protocol: UDP, else TCP.</param>
    public OutboundChoice Select(in FlowEndpoint destination, string? name, in FlowEndpoint source, bool udp)
    {
        // The source only matters to rules with conditions: no address object for it otherwise.
        var sourceAddress = Rules.HasConditions && source.HasAddress ? source.ToIPAddress() : null;
        var flow = new FlowKey(name, destination.HasAddress ? destination.ToIPAddress() : null, destination.Port,
            udp ? FlowProtocol.Udp : FlowProtocol.Tcp, sourceAddress);
        if (Rules.MatchFlow(flow) is { } found)
            return FromAction(found.Rule.Action, found.ToString(), destination);
        return Settings.Default is { } action
            ? FromAction(action, $"default {action}", destination)
            : Auto(destination.IsIPv4, "default auto");
    }

    private OutboundChoice FromAction(RuleAction action, string why, in FlowEndpoint destination) => action switch
    {
        ViaAction via => new OutboundChoice(OutboundKind.Direct, via.Interface, null, why),
        RejectAction => new OutboundChoice(OutboundKind.Reject, null, null, why),
        OutboundAction outbound when Settings.FindOutbound(outbound.Outbound) is { } upstream => Upstream(upstream, why),
        OutboundAction outbound => new OutboundChoice(OutboundKind.Reject, null, null, why, $"no outbound named {outbound.Outbound}"),
        _ => new OutboundChoice(OutboundKind.Reject, null, null, why, $"unknown action {action}"),
    };

    private OutboundChoice Upstream(Outbound upstream, string why)
    {
        if (upstream.Via is { } via)
            return new OutboundChoice(OutboundKind.Socks5, via, upstream, why);
        var family4 = FlowEndpoint.From(upstream.Server.Address, upstream.Server.Port).IsIPv4;
        var auto = defaults.DefaultInterface(family4);
        return auto is null
            ? new OutboundChoice(OutboundKind.Reject, null, upstream, why, $"no default route to reach {upstream.Name}")
            : new OutboundChoice(OutboundKind.Socks5, auto, upstream, why);
    }

    private OutboundChoice Auto(bool ipv4, string why)
    {
        var auto = defaults.DefaultInterface(ipv4);
        // Most flows take the default: reuse the choice while the default interface stays.
        ref var cached = ref ipv4 ? ref _auto4 : ref _auto6;
        if (cached is { } last && last.Interface == auto && last.Rule == why)
            return last;
        return cached = auto is null
            ? new OutboundChoice(OutboundKind.Reject, null, null, why, $"no {(ipv4 ? "IPv4" : "IPv6")} default route in the main table")
            : new OutboundChoice(OutboundKind.Direct, auto, null, why);
    }

    private OutboundChoice? _auto4;
    private OutboundChoice? _auto6;
}

/// <summary>The interface of the main table's default route, per family; null when there is none.</summary>
public interface IDefaultInterfaces
{
    string? DefaultInterface(bool ipv4);
}
