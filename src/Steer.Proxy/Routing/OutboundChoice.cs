using Steer.Policy.Configuration;

namespace Steer.Proxy.Routing;

public enum OutboundKind
{
    /// <summary>Straight to the destination, the socket bound to <see cref="OutboundChoice.Interface"/>.</summary>
    Direct,

    /// <summary>Refused: a rule says so, or the interface it needs is missing (fail closed).</summary>
    Reject,

    /// <summary>Through an upstream SOCKS5 proxy, whose connection is bound to <see cref="OutboundChoice.Interface"/>.</summary>
    Socks5,
}

/// <summary>Where one flow goes and why: made once per flow, shown by <c>steer conns</c>.</summary>
/// <param name="Rule">"prefix 10.0.0.0/8 → reject (steer.yaml:4:5)" or "default auto".</param>
/// <param name="Error">Why a flow that should have gone somewhere is refused (no default route, …).</param>
public sealed record OutboundChoice(OutboundKind Kind, string? Interface, Outbound? Upstream, string Rule, string? Error = null)
{
    /// <summary>"via wg0", "reject", "socks5 corp via wg0".</summary>
    public string Describe() => Kind switch
    {
        OutboundKind.Direct => $"direct via {Interface}",
        OutboundKind.Socks5 => $"socks5 {Upstream!.Name} ({Upstream.Server}) via {Interface}",
        _ => Error is null ? "reject" : $"reject ({Error})",
    };
}
