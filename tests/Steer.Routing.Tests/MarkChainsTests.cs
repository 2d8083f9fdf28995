using System.Text.Json;
using Steer.Routing.Model;
using Steer.Routing.Nft;
using Xunit;

namespace Steer.Routing.Tests;

public sealed class MarkChainsTests
{
    [Fact]
    public void The_write_batch_is_one_document_with_our_chains_flushed_and_three_commented_rules_per_mark()
    {
        var json = MarkChains.WriteBatch([new MarkBinding("eth1", 0x10000), new MarkBinding("eth2", 0x20000)]);
        using var doc = JsonDocument.Parse(json);
        var commands = doc.RootElement.GetProperty("nftables").EnumerateArray().ToList();
        Assert.Equal(2, commands.Count(c => c.TryGetProperty("flush", out _)));
        var comments = commands.Where(c => c.TryGetProperty("add", out var a) && a.TryGetProperty("rule", out _))
            .Select(c => c.GetProperty("add").GetProperty("rule").GetProperty("comment").GetString()).ToList();
        Assert.Equal(["steer:mark eth1 0x10000", "steer:restore eth1 0x10000", "steer:reply eth1 0x10000",
                      "steer:mark eth2 0x20000", "steer:restore eth2 0x20000", "steer:reply eth2 0x20000"], comments);
        Assert.DoesNotContain("\"delete\"", json, StringComparison.Ordinal);
    }

    [Fact]
    public void Removal_keeps_a_table_other_planes_still_use()
    {
        Assert.Contains("\"delete\":{\"table\"", MarkChains.RemoveBatch(tableHasOthers: false), StringComparison.Ordinal);
        var shared = MarkChains.RemoveBatch(tableHasOthers: true);
        Assert.DoesNotContain("\"table\":{", shared, StringComparison.Ordinal);
        Assert.Contains("routes_ingress", shared, StringComparison.Ordinal);
        Assert.Contains("routes_output", shared, StringComparison.Ordinal);
    }
}
