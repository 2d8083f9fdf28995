using Steer.Policy;
using Steer.Policy.Configuration;

namespace Steer.Routing.Compile;

/// <summary>
/// Where each of Steer's rules sits in <c>routing.priorities</c>. Fixed offsets from the range's
/// start, so a rule keeps its priority across restarts and reconciles, and the order says which
/// evidence wins for a packet:
/// <list type="number">
/// <item><c>oif IFACE lookup T</c> (offset 0): a socket bound to an uplink uses that uplink's table.</item>
/// <item><c>fwmark M/MASK lookup T</c> (offset 1): a reply to a connection that arrived on an
/// uplink goes back out of it, whatever its source address.</item>
/// <item><c>from ADDR lookup T</c> (offsets 2..130): the <c>sources:</c>, longest prefix first —
/// one priority per prefix length, since networks of one length never overlap.</item>
/// </list>
/// Rules of one offset share a priority: their selectors are disjoint, so their order does not matter.
/// </summary>
public static class PriorityLayout
{
    public const uint OifOffset = 0;
    public const uint MarkOffset = 1;
    public const uint SourceOffset = 2;

    /// <summary>How many priorities the layout needs: offsets 0..130.</summary>
    public const uint Needed = SourceOffset + 129;

    public static uint Oif(RoutingRanges ranges) => ranges.Priorities.First + OifOffset;

    public static uint Mark(RoutingRanges ranges) => ranges.Priorities.First + MarkOffset;

    public static uint Source(RoutingRanges ranges, Cidr source) =>
        ranges.Priorities.First + SourceOffset + (uint)((source.IsIPv6 ? 128 : 32) - source.PrefixLength);

    /// <summary>Null when the range fits the layout, else why not.</summary>
    public static string? Check(RoutingRanges ranges) =>
        ranges.Priorities.Count >= Needed ? null
            : $"routing.priorities {ranges.Priorities} holds {ranges.Priorities.Count} priorities; the route plane needs {Needed} " +
              $"(oif rules, mark rules, and one per source prefix length): widen it, e.g. {ranges.Priorities.First}-{ranges.Priorities.First + Needed - 1}";
}
