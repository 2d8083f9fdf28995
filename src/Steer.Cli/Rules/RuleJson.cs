using System.Text.Json.Serialization;

namespace Steer.Cli.Rules;

/// <param name="Port">"80,443,8000-8999", or null: any port.</param>
/// <param name="Protocol">"tcp", "udp", or null: both.</param>
/// <param name="Source">Source networks, or null: any source.</param>
/// <param name="Scope">"proxied flows only" for a rule with conditions, "all planes" otherwise.</param>
internal sealed record RuleJson(string Match, string Value, string Action, string? Via,
    string? Port = null, string? Protocol = null, IReadOnlyList<string>? Source = null, string Scope = "all planes")
{
    public static RuleJson From(Steer.Policy.Rules.Rule rule)
    {
        var conditions = rule.Conditions;
        return new RuleJson(rule.Destination.Key, rule.Destination.Value, rule.Action.ToString(), (rule.Action as Steer.Policy.Rules.ViaAction)?.Interface,
            conditions.Ports?.ToString(),
            conditions.Protocol == Steer.Policy.Rules.FlowProtocol.Any ? null : Steer.Policy.Rules.RuleConditions.ProtocolText(conditions.Protocol),
            conditions.Sources.Length == 0 ? null : [.. conditions.Sources.ToArray().Select(s => s.ToString())],
            rule.HasConditions ? "proxied flows only" : "all planes");
    }
}

internal sealed record FindingJson(string Severity, string Message);

internal sealed record RuleListJson(IReadOnlyList<RuleJson> Rules, IReadOnlyList<FindingJson> Findings);

/// <summary>Source-generated: reflection-based JSON would cost start-up time.</summary>
[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase, WriteIndented = true)]
[JsonSerializable(typeof(RuleListJson))]
internal sealed partial class RuleJsonContext : JsonSerializerContext;
