using System.Globalization;
using System.Text;
using System.Text.Json;
using Steer.Linux.Nft;
using Steer.Routing.Model;

namespace Steer.Routing.Nft;

/// <summary>
/// The route plane's two chains in nft table <c>inet steer</c>, for <c>return: symmetric</c>:
/// <code>
/// chain routes_ingress { type filter hook prerouting priority mangle; policy accept;
///   iifname "eth1" ct state new ct mark set ct mark and 0xff00ffff or 0x10000   # the connection came in on eth1
///   iifname != "eth1" ct mark and 0xff0000 == 0x10000 meta mark set ...        # forwarded replies (a router)
/// }
/// chain routes_output { type route hook output priority mangle; policy accept;
///   ct mark and 0xff0000 == 0x10000 meta mark set meta mark and 0xff00ffff or 0x10000   # local replies, rerouted
/// }
/// </code>
/// Each rule carries a comment naming its mark (<c>steer:mark eth1 0x10000</c>), by which the
/// chains are read back. Other chains of the table (other planes') are never touched; the table
/// itself goes only when nothing else is left in it. Every change is one nft transaction.
/// </summary>
internal static class MarkChains
{
    private const string Family = "inet";
    private const int Manglepriority = -150;
    private const string TableJson = "{\"family\":\"" + Family + "\",\"name\":\"" + Ownership.NftTable + "\"}";

    /// <summary>The marks the chains hold now, null when they do not exist; <paramref name="drift"/>
    /// says how they differ from anything Steer writes.</summary>
    public static IReadOnlyList<MarkBinding>? Read(NftContext nft, out string? drift, out bool tableHasOthers)
    {
        drift = null;
        tableHasOthers = false;
        string json;
        try
        {
            json = nft.Run("{\"nftables\":[{\"list\":{\"table\":" + TableJson + "}}]}");
        }
        catch (NftException e) when (e.Message.Contains("No such file", StringComparison.Ordinal))
        {
            return null;
        }
        return Parse(json, out drift, out tableHasOthers);
    }

    /// <summary>The marks in a listing of table <c>inet steer</c> (libnftables JSON), null when
    /// Steer's chains are not in it.</summary>
    internal static IReadOnlyList<MarkBinding>? Parse(string json, out string? drift, out bool tableHasOthers)
    {
        drift = null;
        tableHasOthers = false;
        using var doc = JsonDocument.Parse(json);
        bool ours = false;
        var comments = new Dictionary<string, List<string>> { [Ownership.IngressChain] = [], [Ownership.OutputChain] = [] };
        foreach (var item in doc.RootElement.GetProperty("nftables").EnumerateArray())
        {
            if (item.TryGetProperty("chain", out var chain))
            {
                var name = chain.GetProperty("name").GetString();
                if (name is Ownership.IngressChain or Ownership.OutputChain)
                    ours = true;
                else
                    tableHasOthers = true;
            }
            else if (item.TryGetProperty("rule", out var rule))
            {
                var chainName = rule.GetProperty("chain").GetString()!;
                if (comments.TryGetValue(chainName, out var list))
                    list.Add(rule.TryGetProperty("comment", out var c) ? c.GetString() ?? "" : "");
            }
            else if (!item.TryGetProperty("metainfo", out _) && !item.TryGetProperty("table", out _))
                tableHasOthers = true; // sets, maps, counters of other planes
        }
        if (!ours)
            return null;

        var marks = new List<MarkBinding>();
        foreach (var comment in comments[Ownership.IngressChain].Where(c => c.StartsWith("steer:mark ", StringComparison.Ordinal)))
            if (Parse(comment) is { } mark)
                marks.Add(mark);
        marks.Sort(MarkBinding.Order);
        var expected = new Dictionary<string, List<string>>
        {
            [Ownership.IngressChain] = [.. marks.SelectMany(m => new[] { Comment("mark", m), Comment("restore", m) })],
            [Ownership.OutputChain] = [.. marks.Select(m => Comment("reply", m))],
        };
        foreach (var (chain, found) in comments)
        {
            if (!found.Order(StringComparer.Ordinal).SequenceEqual(expected[chain].Order(StringComparer.Ordinal)))
                drift = $"chain {chain} holds {found.Count} rules, {expected[chain].Count} expected";
        }
        return marks;
    }

    /// <summary>The batch that makes the chains hold exactly <paramref name="marks"/>.</summary>
    public static string WriteBatch(IReadOnlyList<MarkBinding> marks)
    {
        using var stream = new MemoryStream();
        using (var json = new Utf8JsonWriter(stream))
        {
            json.WriteStartObject();
            json.WriteStartArray("nftables");
            Command(json, "add", "table", w => w.WriteString("name", Ownership.NftTable), withTable: false);
            foreach (var (chain, type, hook) in new[] { (Ownership.IngressChain, "filter", "prerouting"), (Ownership.OutputChain, "route", "output") })
            {
                Command(json, "add", "chain", w =>
                {
                    w.WriteString("name", chain);
                    w.WriteString("type", type);
                    w.WriteString("hook", hook);
                    w.WriteNumber("prio", Manglepriority);
                    w.WriteString("policy", "accept");
                });
                Command(json, "flush", "chain", w => w.WriteString("name", chain));
            }
            uint keep = ~Ownership.MarkMask;
            foreach (var mark in marks)
            {
                Rule(json, Ownership.IngressChain, Comment("mark", mark), w =>
                {
                    Match(w, "==", Meta("iifname"), v => v.WriteStringValue(mark.Interface));
                    Match(w, "in", Ct("state"), v => v.WriteStringValue("new"));
                    Mangle(w, Ct("mark"), Ct("mark"), keep, mark.Mark);
                });
                Rule(json, Ownership.IngressChain, Comment("restore", mark), w =>
                {
                    Match(w, "!=", Meta("iifname"), v => v.WriteStringValue(mark.Interface));
                    Match(w, "==", Masked(Ct("mark")), v => v.WriteNumberValue(mark.Mark));
                    Mangle(w, Meta("mark"), Meta("mark"), keep, mark.Mark);
                });
                Rule(json, Ownership.OutputChain, Comment("reply", mark), w =>
                {
                    Match(w, "==", Masked(Ct("mark")), v => v.WriteNumberValue(mark.Mark));
                    Mangle(w, Meta("mark"), Meta("mark"), keep, mark.Mark);
                });
            }
            json.WriteEndArray();
            json.WriteEndObject();
        }
        return Encoding.UTF8.GetString(stream.ToArray());
    }

    /// <summary>The batch that removes the chains, and the table when nothing else is in it.</summary>
    public static string RemoveBatch(bool tableHasOthers)
    {
        if (!tableHasOthers)
            return "{\"nftables\":[{\"delete\":{\"table\":" + TableJson + "}}]}";
        var chains = string.Join(",", new[] { Ownership.IngressChain, Ownership.OutputChain }
            .Select(c => "{\"delete\":{\"chain\":{\"family\":\"" + Family + "\",\"table\":\"" + Ownership.NftTable + "\",\"name\":\"" + c + "\"}}}"));
        return "{\"nftables\":[" + chains + "]}";
    }

    internal static string Comment(string kind, MarkBinding mark) =>
        string.Create(CultureInfo.InvariantCulture, $"steer:{kind} {mark.Interface} 0x{mark.Mark:x}");

    private static MarkBinding? Parse(string comment)
    {
        var parts = comment.Split(' ');
        return parts.Length == 3 && parts[2].StartsWith("0x", StringComparison.Ordinal)
               && uint.TryParse(parts[2].AsSpan(2), NumberStyles.HexNumber, CultureInfo.InvariantCulture, out var value)
            ? new MarkBinding(parts[1], value)
            : null;
    }

    private static void Command(Utf8JsonWriter json, string verb, string kind, Action<Utf8JsonWriter> body, bool withTable = true)
    {
        json.WriteStartObject();
        json.WriteStartObject(verb);
        json.WriteStartObject(kind);
        json.WriteString("family", Family);
        if (withTable)
            json.WriteString("table", Ownership.NftTable);
        body(json);
        json.WriteEndObject();
        json.WriteEndObject();
        json.WriteEndObject();
    }

    private static void Rule(Utf8JsonWriter json, string chain, string comment, Action<Utf8JsonWriter> expressions) =>
        Command(json, "add", "rule", w =>
        {
            w.WriteString("chain", chain);
            w.WriteString("comment", comment);
            w.WriteStartArray("expr");
            expressions(w);
            w.WriteEndArray();
        });

    private static Action<Utf8JsonWriter> Meta(string key) => w => Keyed(w, "meta", key);

    private static Action<Utf8JsonWriter> Ct(string key) => w => Keyed(w, "ct", key);

    private static void Keyed(Utf8JsonWriter w, string kind, string key)
    {
        w.WriteStartObject();
        w.WriteStartObject(kind);
        w.WriteString("key", key);
        w.WriteEndObject();
        w.WriteEndObject();
    }

    private static Action<Utf8JsonWriter> Masked(Action<Utf8JsonWriter> value) => w => Binary(w, "&", value, Ownership.MarkMask);

    private static void Binary(Utf8JsonWriter w, string op, Action<Utf8JsonWriter> left, uint right)
    {
        w.WriteStartObject();
        w.WriteStartArray(op);
        left(w);
        w.WriteNumberValue(right);
        w.WriteEndArray();
        w.WriteEndObject();
    }

    private static void Match(Utf8JsonWriter w, string op, Action<Utf8JsonWriter> left, Action<Utf8JsonWriter> right)
    {
        w.WriteStartObject();
        w.WriteStartObject("match");
        w.WriteString("op", op);
        w.WritePropertyName("left");
        left(w);
        w.WritePropertyName("right");
        right(w);
        w.WriteEndObject();
        w.WriteEndObject();
    }

    /// <summary><c>KEY set SOURCE and KEEP or MARK</c>: Steer's bits replaced, the others kept.</summary>
    private static void Mangle(Utf8JsonWriter w, Action<Utf8JsonWriter> key, Action<Utf8JsonWriter> source, uint keep, uint mark)
    {
        w.WriteStartObject();
        w.WriteStartObject("mangle");
        w.WritePropertyName("key");
        key(w);
        w.WritePropertyName("value");
        w.WriteStartObject();
        w.WriteStartArray("|");
        Binary(w, "&", source, keep);
        w.WriteNumberValue(mark);
        w.WriteEndArray();
        w.WriteEndObject();
        w.WriteEndObject();
        w.WriteEndObject();
    }
}
