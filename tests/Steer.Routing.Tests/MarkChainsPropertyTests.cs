using System.Text.Json;
using System.Text.Json.Nodes;
using FsCheck;
using FsCheck.Fluent;
using Steer.Routing.Model;
using Steer.Routing.Nft;
using Xunit;

namespace Steer.Routing.Tests;

/// <summary>Steer's chains are read back by their rule comments: what Steer writes must read back
/// as exactly the marks written, and any rule lost or added by hand must show as drift.</summary>
public sealed class MarkChainsPropertyTests
{
    /// <summary>What <c>nft -j list table inet steer</c> returns after the write batch ran:
    /// the chains and rules of the batch, as listing objects.</summary>
    private static string ListingAfter(string batch, Func<List<JsonNode>, List<JsonNode>>? edit = null)
    {
        var items = new List<JsonNode> { JsonNode.Parse("""{"metainfo":{"version":"1.0.6"}}""")!, JsonNode.Parse("""{"table":{"family":"inet","name":"steer"}}""")! };
        foreach (var command in JsonNode.Parse(batch)!["nftables"]!.AsArray())
            if (command!["add"] is JsonObject add && (add["chain"] ?? add["rule"]) is { } obj)
                items.Add(new JsonObject { [add.ContainsKey("chain") ? "chain" : "rule"] = obj.DeepClone() });
        items = edit?.Invoke(items) ?? items;
        var array = new JsonArray();
        foreach (var item in items)
            array.Add(item);
        return new JsonObject { ["nftables"] = array }.ToJsonString();
    }

    private static readonly Gen<MarkBinding[]> Marks =
        from count in Gen.Choose(0, 6)
        from slots in Gen.ArrayOf(Gen.Choose(1, 255), count)
        select slots.Distinct().Select((slot, i) => new MarkBinding($"up{i}", (uint)slot << Ownership.MarkShift)).ToArray();

    [Fact]
    public void What_Steer_writes_reads_back_as_the_same_marks_without_drift()
    {
        Prop.ForAll(Marks.ToArbitrary(), marks =>
        {
            var sorted = marks.Order(MarkBinding.Order).ToList();
            var read = MarkChains.Parse(ListingAfter(MarkChains.WriteBatch(sorted)), out var drift, out var others);
            return read is not null && read.SequenceEqual(sorted) && drift is null && !others;
        }).QuickCheckThrowOnFailure();
    }

    [Fact]
    public void A_rule_removed_by_hand_is_drift()
    {
        Prop.ForAll(Marks.Where(m => m.Length > 0).ToArbitrary(), Gen.Choose(0, 1000).ToArbitrary(), (marks, pick) =>
        {
            var sorted = marks.Order(MarkBinding.Order).ToList();
            var listing = ListingAfter(MarkChains.WriteBatch(sorted), items =>
            {
                var rules = items.Where(i => i is JsonObject o && o.ContainsKey("rule")).ToList();
                items.Remove(rules[pick % rules.Count]);
                return items;
            });
            MarkChains.Parse(listing, out var drift, out _);
            return drift is not null;
        }).QuickCheckThrowOnFailure();
    }

    [Fact]
    public void Other_planes_chains_in_the_table_are_noticed_and_not_ours()
    {
        var listing = ListingAfter(MarkChains.WriteBatch([new MarkBinding("eth1", 0x10000)]), items =>
        {
            items.Add(JsonNode.Parse("""{"chain":{"family":"inet","table":"steer","name":"proxy_prerouting"}}""")!);
            return items;
        });
        var read = MarkChains.Parse(listing, out var drift, out var others);
        Assert.Equal([new MarkBinding("eth1", 0x10000)], read);
        Assert.Null(drift);
        Assert.True(others);
        Assert.Null(MarkChains.Parse("""{"nftables":[{"metainfo":{}},{"table":{"family":"inet","name":"steer"}}]}""", out _, out _));
    }
}
