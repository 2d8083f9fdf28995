using Steer.Policy.Rules;

namespace Steer.Policy.Configuration;

/// <summary>
/// steer.yaml, loaded and validated: every reference resolved, every default filled in, every
/// automatic choice (such as uplink tables) made. Immutable, and equal to another configuration
/// exactly when the two mean the same (rule order and source locations do not count).
/// Made only by <see cref="ConfigLoader"/>, which guarantees the cross-references hold.
/// </summary>
public sealed record SteerConfig
{
    internal SteerConfig(
        RoutingRanges routing,
        EquatableArray<Uplink> uplinks,
        EquatableArray<SourceRoute> sources,
        DnsSettings? dns,
        RuleSet rules,
        ProxySettings? proxy)
    {
        Routing = routing;
        Uplinks = uplinks;
        Sources = sources;
        Dns = dns;
        Rules = rules;
        Proxy = proxy;
    }

    /// <summary>What an empty file means: no uplinks, no rules, no resolver, no proxy.</summary>
    public static SteerConfig Empty { get; } = new(RoutingRanges.Default, default, default, null, RuleSet.Empty, null);

    /// <summary><c>routing:</c> the table ids and rule priorities Steer owns.</summary>
    public RoutingRanges Routing { get; }

    /// <summary><c>uplinks:</c> egress links with their gateways and tables, sorted by interface name.</summary>
    public EquatableArray<Uplink> Uplinks { get; }

    /// <summary><c>sources:</c> addresses whose replies must leave by a given uplink.</summary>
    public EquatableArray<SourceRoute> Sources { get; }

    /// <summary><c>dns:</c> Steer's resolver, or null when Steer does not resolve names.</summary>
    public DnsSettings? Dns { get; }

    /// <summary><c>rules:</c> compiled; every plane reads the same set.</summary>
    public RuleSet Rules { get; }

    /// <summary><c>proxy:</c> inbounds and outbounds for intercepted flows, or null.</summary>
    public ProxySettings? Proxy { get; }

    /// <summary>This configuration with another rule set: the daemon hands its planes steer.yaml's
    /// rules together with the state file's (`steer rule`), so the proxy honours both.</summary>
    public SteerConfig WithRules(RuleSet rules) => new(Routing, Uplinks, Sources, Dns, rules ?? throw new ArgumentNullException(nameof(rules)), Proxy);

    /// <summary>The uplink on an interface, if that interface is one.</summary>
    public Uplink? FindUplink(string @interface) => Uplinks.FirstOrDefault(u => u.Interface == @interface);

    /// <summary>
    /// The configuration written in one fixed form: every default explicit, every list in a fixed
    /// order, automatic choices resolved. Two equal configurations give the same text, and the text
    /// loads back to an equal configuration — so it is what <c>steer apply</c> can diff.
    /// </summary>
    public string ToCanonicalYaml() => CanonicalYamlWriter.Write(this);
}
