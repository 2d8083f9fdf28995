using System.Text.Json;
using System.Text.Json.Nodes;

namespace Steer.Proxy.Interception;

/// <summary>
/// The proxy's nftables state as libnftables JSON: its own table <c>inet steer_proxy</c> with one
/// prerouting chain. A table of its own (not chains inside <c>inet steer</c>) because the route plane
/// creates, flushes and deletes <c>inet steer</c> on its own schedule: separate tables cannot
/// delete or reorder each other's rules, and stop removes exactly one object.
/// <code>
/// table inet steer_proxy {
///   chain proxy_prerouting {
///     type filter hook prerouting priority mangle; policy accept;
///     meta mark 0x53000002 return                    # the proxy's own egress
///     fib daddr type { local, broadcast, multicast } return
///     iifname "lan0" meta nfproto ipv4 meta l4proto tcp meta mark set 0x53000001 tproxy ip to :7893 accept
///     … udp, ipv6, further interfaces
///   }
/// }
/// </code>
/// </summary>
public static class NftRuleset
{
    public const string Family = "inet";
    public const string Table = "steer_proxy";
    public const string Chain = "proxy_prerouting";

    /// <summary>One transaction that replaces the table whole: add (so delete cannot fail), delete, add anew.</summary>
    public static string Build(IReadOnlyList<string> interfaces, int port, uint interceptMark, uint bypassMark)
    {
        var commands = new JsonArray
        {
            Command("add", "table", TableObject()),
            Command("delete", "table", TableObject()),
            Command("add", "table", TableObject()),
            Command("add", "chain", new JsonObject
            {
                ["family"] = Family, ["table"] = Table, ["name"] = Chain,
                ["type"] = "filter", ["hook"] = "prerouting", ["prio"] = -150, ["policy"] = "accept",
            }),
            Rule(Match(Meta("mark"), bypassMark), new JsonObject { ["return"] = null }),
            Rule(Match(new JsonObject { ["fib"] = new JsonObject { ["result"] = "type", ["flags"] = new JsonArray("daddr") } },
                       new JsonObject { ["set"] = new JsonArray("local", "broadcast", "multicast") }),
                 new JsonObject { ["return"] = null }),
        };
        foreach (var iface in interfaces)
            foreach (var (nfproto, family) in new[] { ("ipv4", "ip"), ("ipv6", "ip6") })
                foreach (var l4 in new[] { "tcp", "udp" })
                    commands.Add(Rule(
                        Match(Meta("iifname"), iface),
                        Match(Meta("nfproto"), nfproto),
                        Match(Meta("l4proto"), l4),
                        new JsonObject { ["mangle"] = new JsonObject { ["key"] = Meta("mark"), ["value"] = interceptMark } },
                        new JsonObject { ["tproxy"] = new JsonObject { ["family"] = family, ["port"] = port } },
                        new JsonObject { ["accept"] = null }));
        return new JsonObject { ["nftables"] = commands }.ToJsonString();
    }

    /// <summary>Deletes the table if it exists, nothing else (add first, so the delete cannot fail: this
    /// libnftables has no JSON <c>destroy</c>).</summary>
    public static string Remove() => new JsonObject { ["nftables"] = new JsonArray(Command("add", "table", TableObject()), Command("delete", "table", TableObject())) }.ToJsonString();

    /// <summary>Lists the table, to see whether one is there to adopt.</summary>
    public static string List() => new JsonObject { ["nftables"] = new JsonArray(Command("list", "table", TableObject())) }.ToJsonString();

    private static JsonObject TableObject() => new() { ["family"] = Family, ["name"] = Table };

    private static JsonObject Command(string verb, string kind, JsonObject body) => new() { [verb] = new JsonObject { [kind] = body } };

    private static JsonObject Meta(string key) => new() { ["meta"] = new JsonObject { ["key"] = key } };

    private static JsonObject Match(JsonNode left, JsonNode right) =>
        new() { ["match"] = new JsonObject { ["op"] = "==", ["left"] = left, ["right"] = right } };

    private static JsonObject Match(JsonNode left, string right) => Match(left, JsonValue.Create(right));

    private static JsonObject Match(JsonNode left, uint right) => Match(left, JsonValue.Create(right));

    private static JsonObject Rule(params JsonNode[] expressions) => Command("add", "rule", new JsonObject
    {
        ["family"] = Family, ["table"] = Table, ["chain"] = Chain, ["expr"] = new JsonArray(expressions),
    });

    internal static bool Exists(string listOutput)
    {
        using var document = JsonDocument.Parse(listOutput);
        return document.RootElement.TryGetProperty("nftables", out var items) && items.EnumerateArray().Any(i => i.TryGetProperty("table", out _));
    }
}
