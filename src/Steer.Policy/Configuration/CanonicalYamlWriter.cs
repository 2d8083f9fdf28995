using System.Text;
using Steer.Policy.Rules;

namespace Steer.Policy.Configuration;

/// <summary>
/// Writes a <see cref="SteerConfig"/> in its one canonical text: fixed key order, every default
/// explicit, lists in the configuration's own (sorted) order, one item per line in flow style.
/// Values are quoted only when YAML needs it.
/// </summary>
internal static class CanonicalYamlWriter
{
    public static string Write(SteerConfig config)
    {
        var w = new StringBuilder();
        w.Append("routing:\n");
        w.Append($"  tables: {config.Routing.Tables}\n");
        w.Append($"  priorities: {config.Routing.Priorities}\n");

        List("uplinks", config.Uplinks, u =>
            $"{{ interface: {Scalar(u.Interface)}, gateway: {Scalar(u.Gateway4.ToString())}, gateway6: {Scalar(u.Gateway6.ToString())}, " +
            $"return: {(u.Return == ReturnPath.Symmetric ? "symmetric" : "none")}, table: {u.Table} }}");
        List("sources", config.Sources, s => $"{{ address: {Scalar(s.Addresses.ToString())}, uplink: {Scalar(s.Uplink)} }}");

        if (config.Dns is { } dns)
        {
            w.Append("dns:\n");
            w.Append($"  listen: {Scalar(dns.Listen.ToString())}\n");
            w.Append($"  grace: {dns.GraceSeconds}\n");
            w.Append("  upstreams:\n");
            foreach (var upstream in dns.Upstreams)
            {
                var tag = upstream.Interface is null ? "" : $", interface: {Scalar(upstream.Interface)}";
                w.Append($"    - {{ address: {Scalar(upstream.Server.ToString())}{tag} }}\n");
            }
        }

        List("rules", config.Rules.CanonicalOrder, Rule);

        if (config.Proxy is { } proxy)
        {
            w.Append("proxy:\n");
            if (proxy.Tproxy is { } tproxy)
                w.Append($"  tproxy: {{ port: {tproxy.Port}, interfaces: [{string.Join(", ", tproxy.Interfaces.Select(Scalar))}] }}\n");
            if (proxy.Socks is { } socks)
                w.Append($"  socks: {{ listen: {Scalar(socks.Listen.ToString())} }}\n");
            w.Append($"  default: {proxy.Default switch { null => "auto", OutboundAction o => Scalar(o.Outbound), _ => "reject" }}\n");
            w.Append(proxy.Outbounds.Count == 0 ? "  outbounds: []\n" : "  outbounds:\n");
            foreach (var o in proxy.Outbounds)
            {
                var via = o.Via is null ? "" : $", via: {Scalar(o.Via)}";
                w.Append($"    - {{ name: {Scalar(o.Name)}, type: socks5, server: {Scalar(o.Server.ToString())}{via} }}\n");
            }
        }
        return w.ToString();

        void List<T>(string key, IReadOnlyList<T> items, Func<T, string> item)
        {
            w.Append(items.Count == 0 ? $"{key}: []\n" : $"{key}:\n");
            foreach (var i in items)
                w.Append($"  - {item(i)}\n");
        }
    }

    internal static string Rule(Rule rule)
    {
        var action = rule.Action switch
        {
            ViaAction via => $"via: {Scalar(via.Interface)}",
            OutboundAction outbound => $"outbound: {Scalar(outbound.Outbound)}",
            _ => "action: reject",
        };
        var destination = rule.Destination is AnyDestination ? "" : $"{rule.Destination.Key}: {Scalar(rule.Destination.Value)}, ";
        return $"{{ {destination}{Conditions(rule.Conditions)}{action} }}";
    }

    /// <summary>"port: 443, protocol: tcp, source: 10.0.0.0/8, " — a list only for several values.</summary>
    private static string Conditions(RuleConditions conditions)
    {
        if (conditions.IsNone)
            return "";
        var text = new StringBuilder();
        if (conditions.Ports is { } ports)
        {
            text.Append("port: ").Append(OneOrList([.. ports.ToString().Split(',')])).Append(", ");
        }
        if (conditions.Protocol != FlowProtocol.Any)
            text.Append("protocol: ").Append(RuleConditions.ProtocolText(conditions.Protocol)).Append(", ");
        if (conditions.Sources.Length > 0)
        {
            var sources = new List<string>();
            foreach (var source in conditions.Sources)
                sources.Add(Scalar(source.ToString()));
            text.Append("source: ").Append(OneOrList(sources)).Append(", ");
        }
        return text.ToString();

        static string OneOrList(List<string> items) => items.Count == 1 ? items[0] : $"[{string.Join(", ", items)}]";
    }

    /// <summary>Plain when unambiguous in a flow collection, else double-quoted.</summary>
    private static string Scalar(string value)
    {
        var plain = value.Length > 0 && (char.IsAsciiLetterOrDigit(value[0]) || value[0] == '_');
        foreach (var c in value)
            plain &= char.IsAsciiLetterOrDigit(c) || c is '_' or '.' or '-' or '/';
        plain &= value is not ("null" or "Null" or "NULL" or "true" or "false" or "yes" or "no" or "on" or "off");
        if (plain)
            return value;
        var quoted = new StringBuilder("\"");
        foreach (var c in value)
            quoted.Append(c switch { '"' => "\\\"", '\\' => "\\\\", _ => c.ToString() });
        return quoted.Append('"').ToString();
    }
}
