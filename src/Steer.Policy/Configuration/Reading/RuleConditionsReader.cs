using Steer.Policy.Configuration.Yaml;
using Steer.Policy.Rules;

namespace Steer.Policy.Configuration.Reading;

/// <summary>
/// The conditions of one rule: <c>port:</c> (a port, a range FIRST-LAST, or a list of them),
/// <c>protocol: tcp|udp</c>, <c>source:</c> (a network or a list). Each bad value is reported at
/// its own node; null when any was bad.
/// </summary>
internal static class RuleConditionsReader
{
    private static readonly string[] Protocols = ["tcp", "udp"];

    public static RuleConditions? Read(MapNode rule, ReadContext context)
    {
        var ok = true;
        PortSet? ports = null;
        if (rule["port"] is { } portNode)
            ok &= ReadPorts(portNode, context, out ports);
        var protocol = FlowProtocol.Any;
        if (rule["protocol"] is { } protocolNode)
        {
            var text = context.Choice(protocolNode, "protocol", Protocols);
            ok &= text is not null;
            protocol = text == "udp" ? FlowProtocol.Udp : FlowProtocol.Tcp;
        }
        var sources = new List<Cidr>();
        if (rule["source"] is { } sourceNode)
        {
            var items = Items(sourceNode, "source", context);
            ok &= items is not null;
            foreach (var item in items ?? [])
            {
                if (context.Network(item, "source") is { } network)
                    sources.Add(network);
                else
                    ok = false;
            }
        }
        return ok ? RuleConditions.Of(ports, protocol, sources) : null;
    }

    private static bool ReadPorts(Node node, ReadContext context, out PortSet? ports)
    {
        ports = null;
        var items = Items(node, "port", context);
        if (items is null)
            return false;
        var ranges = new List<(ushort, ushort)>(items.Count);
        var ok = true;
        foreach (var item in items)
        {
            var text = context.Text(item, "port", "a port (0-65535) or a range such as 8000-8999");
            if (text is null)
            {
                ok = false;
                continue;
            }
            var problem = PortSet.TryParseRange(text.AsSpan().Trim(), out var range);
            if (problem is null)
                ranges.Add(range);
            else
            {
                context.Error(item, $"port: {problem}");
                ok = false;
            }
        }
        if (ok)
            ports = PortSet.Of([.. ranges]);
        return ok;
    }

    /// <summary>A value or a non-empty list of values.</summary>
    private static IReadOnlyList<Node>? Items(Node node, string key, ReadContext context)
    {
        if (node is not ListNode list)
            return [node];
        if (list.Items.Count > 0)
            return list.Items;
        context.Error(node, $"{key}: the list is empty; give at least one value, or leave {key} out for any");
        return null;
    }
}
