using Steer.Policy.Configuration;

namespace Steer.Routing.Compile;

/// <summary>
/// Gives each <c>return: symmetric</c> uplink a mark value inside <see cref="Ownership.MarkMask"/>,
/// derived from its table id (itself stable, see the table allocator): slot = offset of the table
/// in <c>routing.tables</c> modulo 255, plus one, the next free slot on a collision. A mark thus
/// stays with its uplink when others are added or removed, so live connections keep their
/// return path across <c>steer apply</c>. Slots of marks other planes use are skipped.
/// </summary>
public static class MarkAllocator
{
    public static IReadOnlyDictionary<string, uint> Allocate(IEnumerable<Uplink> symmetric, RoutingRanges ranges)
    {
        var marks = new Dictionary<string, uint>();
        var taken = new HashSet<uint>();
        var reserved = Ownership.ReservedMarks.Select(m => (m & Ownership.MarkMask) >> Ownership.MarkShift).Where(s => s != 0).ToHashSet();
        foreach (var uplink in symmetric.OrderBy(u => u.Table))
        {
            if (taken.Count + reserved.Count >= Ownership.MaxMarks)
                break;
            uint slot = (uint)((uplink.Table - (long)ranges.Tables.First) % Ownership.MaxMarks) + 1;
            while (taken.Contains(slot) || reserved.Contains(slot))
                slot = slot == Ownership.MaxMarks ? 1 : slot + 1;
            taken.Add(slot);
            marks[uplink.Interface] = slot << Ownership.MarkShift;
        }
        return marks;
    }
}
