using System.Text.Json.Serialization;

namespace Steer.Cli.Rules;

internal sealed record RuleJson(string Match, string Value, string Action, string? Via);

internal sealed record FindingJson(string Severity, string Message);

internal sealed record RuleListJson(IReadOnlyList<RuleJson> Rules, IReadOnlyList<FindingJson> Findings);

/// <summary>Source-generated: reflection-based JSON would cost start-up time.</summary>
[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase, WriteIndented = true)]
[JsonSerializable(typeof(RuleListJson))]
internal sealed partial class RuleJsonContext : JsonSerializerContext;
