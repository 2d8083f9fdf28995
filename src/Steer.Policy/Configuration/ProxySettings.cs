using Steer.Policy.Rules;

namespace Steer.Policy.Configuration;

/// <summary>
/// <c>proxy:</c> flows intercepted by TProxy or accepted on a SOCKS port, and where they go: the rules
/// first, then <see cref="Default"/>.
/// </summary>
/// <param name="Default">For flows no rule matches: null for <c>auto</c> (leave as the host's routing
/// would send them, bound to that interface so they can never loop back into the proxy), or
/// <see cref="RejectAction"/>, or an <see cref="OutboundAction"/>.</param>
public sealed record ProxySettings(TproxyInbound? Tproxy, SocksInbound? Socks, RuleAction? Default, EquatableArray<Outbound> Outbounds)
{
    public Outbound? FindOutbound(string name) => Outbounds.FirstOrDefault(o => o.Name == name);
}

/// <summary>Transparent interception of TCP and UDP arriving on <see cref="Interfaces"/>, delivered to <see cref="Port"/>.</summary>
public sealed record TproxyInbound(int Port, EquatableArray<string> Interfaces);

/// <summary>A SOCKS5 server for programs configured to use one.</summary>
public sealed record SocksInbound(Endpoint Listen);

public enum OutboundProtocol
{
    Socks5,
}

/// <summary>A named upstream proxy. Its own connection to <see cref="Server"/> leaves via <see cref="Via"/>
/// when given, else by the host's routing — bound to an interface either way, never into the proxy itself.</summary>
public sealed record Outbound(string Name, OutboundProtocol Protocol, Endpoint Server, string? Via);
