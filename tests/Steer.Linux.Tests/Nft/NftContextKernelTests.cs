using Steer.Linux.Native;
using Steer.Linux.Nft;
using Steer.Linux.Tests.Netlink;
using Xunit;

namespace Steer.Linux.Tests.Nft;

/// <summary>libnftables JSON in a throw-away namespace: a batch is one transaction, listings come
/// back as JSON, and refusals carry nft's own message.</summary>
public sealed class NftContextKernelTests
{
    [Fact]
    public void A_batch_applies_whole_or_not_at_all_and_lists_back_as_json()
    {
        Assert.SkipUnless(NftContext.IsAvailable, "libnftables.so.1 is not installed");
        using var ns = TestNamespace.Create();
        NetNamespace.Run(ns.Path, () =>
        {
            using var nft = new NftContext();
            nft.Run("""{"nftables":[{"add":{"table":{"family":"inet","name":"t"}}},{"add":{"chain":{"family":"inet","table":"t","name":"c","type":"filter","hook":"output","prio":0,"policy":"accept"}}},{"add":{"rule":{"family":"inet","table":"t","chain":"c","comment":"hello","expr":[{"counter":null}]}}}]}""");
            var listing = nft.Run("""{"nftables":[{"list":{"table":{"family":"inet","name":"t"}}}]}""");
            Assert.Contains("\"comment\": \"hello\"", listing.Replace("\":\"", "\": \"", StringComparison.Ordinal), StringComparison.Ordinal);

            // The second command fails (no such chain): the first, in the same batch, must not stay.
            var e = Assert.Throws<NftException>(() => nft.Run("""{"nftables":[{"add":{"table":{"family":"inet","name":"u"}}},{"add":{"rule":{"family":"inet","table":"t","chain":"missing","expr":[{"counter":null}]}}}]}"""));
            Assert.Contains("No such file or directory", e.Message, StringComparison.Ordinal);
            var tables = nft.Run("""{"nftables":[{"list":{"tables":{"family":"inet"}}}]}""");
            Assert.DoesNotContain("\"u\"", tables, StringComparison.Ordinal);
            return 0;
        });
    }
}
