using Steer.Policy.Configuration;

namespace Steer.Proxy.Interception;

/// <summary>
/// What TProxy interception needs in the kernel, derived from steer.yaml alone (so a restart finds
/// the same objects to adopt): the intercepted interfaces and port, the mark, and a routing table and
/// rule priority from Steer's own ranges — the table is the highest one no uplink uses, the
/// priority the first of the range, so intercepted packets are delivered locally before any uplink
/// rule routes them.
/// </summary>
public sealed record InterceptionPlan(IReadOnlyList<string> Interfaces, int Port, uint InterceptMark, uint BypassMark, uint Table, uint Priority)
{
    public static InterceptionPlan? For(SteerConfig config, ProxyOptions options)
    {
        if (config.Proxy?.Tproxy is not { } tproxy)
            return null;
        var used = config.Uplinks.Select(u => u.Table).ToHashSet();
        var table = config.Routing.Tables.Last;
        while (used.Contains(table) && table > config.Routing.Tables.First)
            table--;
        if (used.Contains(table))
            throw new ProxyException($"routing.tables {config.Routing.Tables} has no table left for the proxy's local routes; widen the range");
        return new InterceptionPlan([.. tproxy.Interfaces], tproxy.Port, options.InterceptMark, options.BypassMark, table, config.Routing.Priorities.First);
    }

    public bool Equals(InterceptionPlan? other) =>
        other is not null && Interfaces.SequenceEqual(other.Interfaces) && Port == other.Port && InterceptMark == other.InterceptMark &&
        BypassMark == other.BypassMark && Table == other.Table && Priority == other.Priority;

    public override int GetHashCode() => HashCode.Combine(Port, InterceptMark, Table, Priority);

    public override string ToString() =>
        $"tproxy :{Port} on {string.Join(", ", Interfaces)} (nft table inet {NftRuleset.Table}, fwmark 0x{InterceptMark:x} lookup {Table} priority {Priority})";
}
