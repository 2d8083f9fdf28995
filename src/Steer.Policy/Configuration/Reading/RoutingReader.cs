using Steer.Policy.Configuration.Yaml;

namespace Steer.Policy.Configuration.Reading;

/// <summary><c>routing: { tables: 1000-1999, priorities: 10000-10999 }</c>; both keys optional.</summary>
internal static class RoutingReader
{
    private static readonly string[] Keys = ["tables", "priorities"];

    /// <summary>Table ids the kernel gives a meaning: 0 unspecified, 253 default, 254 main, 255 local.</summary>
    private static readonly NumberRange KernelTables = new(253, 255);

    /// <summary>The main table's rule sits at 32766; Steer's rules must be consulted before it.</summary>
    public const uint MainRulePriority = 32766;

    public static RoutingRanges Read(Node? node, ReadContext context)
    {
        if (node is null || node is ScalarNode { IsNull: true })
            return RoutingRanges.Default;
        var map = context.Mapping(node, "routing", Keys);
        if (map is null)
            return RoutingRanges.Default;

        var tables = RoutingRanges.DefaultTables;
        if (map["tables"] is { } tablesNode &&
            context.Parse(tablesNode, "routing.tables", "a range FIRST-LAST such as 1000-1999",
                (string text, out NumberRange range) => ParseRange(text, 1, uint.MaxValue, out range) ?? CheckTables(range), out var parsedTables))
            tables = parsedTables;

        var priorities = RoutingRanges.DefaultPriorities;
        if (map["priorities"] is { } prioritiesNode &&
            context.Parse(prioritiesNode, "routing.priorities", "a range FIRST-LAST such as 10000-10999",
                (string text, out NumberRange range) => ParseRange(text, 1, MainRulePriority - 1, out range), out var parsedPriorities))
            priorities = parsedPriorities;

        return new RoutingRanges(tables, priorities);
    }

    private static string? ParseRange(string text, uint min, uint max, out NumberRange range)
    {
        var problem = ValueParsers.ParseRange(text, min, max, out range);
        return problem is not null && max == MainRulePriority - 1 && problem.Contains("out of range", StringComparison.Ordinal)
            ? $"{problem}: Steer's rules must come before the main table's rule at priority {MainRulePriority}, and 0 is the kernel's local rule"
            : problem;
    }

    private static string? CheckTables(NumberRange range) =>
        range.Overlaps(KernelTables)
            ? $"{range} includes the kernel's own tables 253 (default), 254 (main) and 255 (local); choose a range without them"
            : null;
}
