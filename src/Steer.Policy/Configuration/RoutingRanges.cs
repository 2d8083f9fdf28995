namespace Steer.Policy.Configuration;

/// <summary>
/// <c>routing:</c> the routing table ids and the <c>ip rule</c> priorities Steer owns. Steer creates
/// tables and rules only inside these ranges and removes only what it created there, so another
/// program's tables and rules are never touched.
/// </summary>
public sealed record RoutingRanges(NumberRange Tables, NumberRange Priorities)
{
    public static NumberRange DefaultTables { get; } = new(1000, 1999);

    public static NumberRange DefaultPriorities { get; } = new(10000, 10999);

    public static RoutingRanges Default { get; } = new(DefaultTables, DefaultPriorities);
}

/// <summary>An inclusive range of numbers, written "1000-1999".</summary>
public readonly record struct NumberRange(uint First, uint Last)
{
    public long Count => (long)Last - First + 1;

    public bool Contains(uint value) => value >= First && value <= Last;

    public bool Overlaps(NumberRange other) => First <= other.Last && other.First <= Last;

    public override string ToString() => $"{First}-{Last}";
}
