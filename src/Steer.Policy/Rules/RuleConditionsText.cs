using System.Text;

namespace Steer.Policy.Rules;

/// <summary>
/// Conditions as words, for the rule state file and the command line:
/// <c>port 80,443,8000-8999 protocol tcp source 10.0.0.0/8,fd00::/8</c>. Each key at most once.
/// </summary>
public static class RuleConditionsText
{
    /// <summary>True for a word that starts a condition: port, protocol, source.</summary>
    public static bool IsKey(ReadOnlySpan<char> word) => word is "port" or "protocol" or "source";

    /// <summary>" port 443 protocol tcp source 10.0.0.0/8" (a leading space; empty for none).</summary>
    public static void Append(StringBuilder text, RuleConditions conditions)
    {
        ArgumentNullException.ThrowIfNull(text);
        ArgumentNullException.ThrowIfNull(conditions);
        if (conditions.Ports is { } ports)
            text.Append(" port ").Append(ports);
        if (conditions.Protocol != FlowProtocol.Any)
            text.Append(" protocol ").Append(RuleConditions.ProtocolText(conditions.Protocol));
        if (conditions.Sources.Length > 0)
            text.Append(" source ").AppendJoin(',', conditions.Sources.ToArray());
    }

    /// <summary>Parses one value; returns the problem or null. <paramref name="builder"/> gathers the pairs.</summary>
    public static string? TryAdd(ref Builder builder, ReadOnlySpan<char> key, ReadOnlySpan<char> value)
    {
        switch (key)
        {
            case "port":
                if (builder.Ports is not null)
                    return "port is given twice; give one list (80,443,8000-8999)";
                var problem = PortSet.TryParse(value, out var ports);
                builder.Ports = ports;
                return problem is null ? null : $"port: {problem}";
            case "protocol":
                if (builder.Protocol != FlowProtocol.Any)
                    return "protocol is given twice";
                builder.Protocol = value switch
                {
                    "tcp" => FlowProtocol.Tcp,
                    "udp" => FlowProtocol.Udp,
                    _ => FlowProtocol.Any,
                };
                return builder.Protocol == FlowProtocol.Any ? $"protocol: '{value}' is not tcp or udp" : null;
            case "source":
                if (builder.Sources is not null)
                    return "source is given twice; give one list (10.0.0.0/8,192.168.0.0/16)";
                builder.Sources = [];
                foreach (var part in value.Split(','))
                {
                    if (!Cidr.TryParse(value[part].Trim(), out var network, out var error))
                        return $"source: {error}";
                    builder.Sources.Add(network);
                }
                return null;
            default:
                return $"'{key}' is not a condition (port, protocol or source)";
        }
    }

    /// <summary>The pairs read so far.</summary>
    public struct Builder
    {
        public PortSet? Ports;
        public FlowProtocol Protocol;
        public List<Cidr>? Sources;

        public readonly RuleConditions Build() => RuleConditions.Of(Ports, Protocol, Sources);
    }
}
