using Steer.Policy.Configuration.Yaml;

namespace Steer.Policy.Configuration.Reading;

/// <summary>
/// Gives every uplink a routing table from Steer's range: the one written, or for <c>table: auto</c>
/// (the default) one chosen from the interface name alone — a fixed hash (FNV-1a, the same in every
/// version and process) picks a slot, and the next free id after it is taken. So a table id does not
/// move when uplinks are reordered, added or removed, except on a collision.
/// </summary>
internal static class TableAllocator
{
    public static Dictionary<UplinkDraft, uint> Allocate(IReadOnlyList<UplinkDraft> uplinks, NumberRange range, ReadContext context)
    {
        var assigned = new Dictionary<UplinkDraft, uint>();
        var taken = new Dictionary<uint, UplinkDraft>();
        foreach (var uplink in uplinks.Where(u => u.Table is not null))
        {
            var table = uplink.Table!.Value;
            if (!range.Contains(table))
                context.Error(uplink.TableNode!, $"table: {table} is outside Steer's tables {range} (routing.tables); " +
                                                 "Steer only uses tables it owns");
            else if (taken.TryGetValue(table, out var other))
                context.Error(uplink.TableNode!, $"table: {table} is already the table of uplink {other.Interface}");
            else
            {
                taken.Add(table, uplink);
                assigned.Add(uplink, table);
            }
        }

        var automatic = uplinks.Where(u => u.Table is null).OrderBy(u => u.Interface, StringComparer.Ordinal).ToList();
        if (taken.Count + automatic.Count > range.Count)
        {
            context.Error(automatic.FirstOrDefault()?.Node ?? uplinks[0].Node,
                $"routing.tables {range} has {range.Count} tables, too few for {uplinks.Count} uplinks; widen the range");
            return assigned;
        }
        foreach (var uplink in automatic)
        {
            var table = (uint)(range.First + Fnv1a(uplink.Interface) % (ulong)range.Count);
            while (taken.ContainsKey(table))
                table = table == range.Last ? range.First : table + 1;
            taken.Add(table, uplink);
            assigned.Add(uplink, table);
        }
        return assigned;
    }

    private static uint Fnv1a(string text)
    {
        var hash = 2166136261u;
        foreach (var c in text)
            hash = (hash ^ c) * 16777619u;
        return hash;
    }
}
