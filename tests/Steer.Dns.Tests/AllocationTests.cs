namespace Steer.Dns.Tests;

/// <summary>The hot path — check an upstream answer, read its chain and addresses, fix it up, forward it — allocates nothing.</summary>
public class AllocationTests
{
    [Fact]
    public void Reading_an_answer_and_its_addresses_allocates_nothing()
    {
        var question = DnsName.Parse("www.example.test");
        var chain = new DnsAnswerChain();
        var bytes = (byte[])Captures.AaaaAnswerEdns.Clone();
        var output = new byte[1500];

        void HotPath()
        {
            var view = DnsMessageView.Parse(bytes);
            chain.Read(view, question);
            DnsTtl.TryGetMinimum(view, out _);
            DnsTruncation.TryFit(view, DnsTruncation.UdpLimitFor(view), output, out _, out _);
            DnsMessageEdits.SetId(bytes, 42);
            DnsTtl.TryDecrement(bytes, 0, out _);
        }

        HotPath(); // warm up: JIT, list capacity
        var before = GC.GetAllocatedBytesForCurrentThread();
        for (var i = 0; i < 100; i++)
            HotPath();
        Assert.Equal(0, GC.GetAllocatedBytesForCurrentThread() - before);
        Assert.Single(chain.Addresses);
    }

    [Fact]
    public void Following_a_CNAME_chain_allocates_its_names_once_and_then_reuses_them()
    {
        var question = DnsName.Parse("a2.example.test");
        var chain = new DnsAnswerChain();
        var before = GC.GetAllocatedBytesForCurrentThread();
        chain.Read(DnsMessageView.Parse(Captures.ChainAnswer), question);
        var first = GC.GetAllocatedBytesForCurrentThread() - before;
        before = GC.GetAllocatedBytesForCurrentThread();
        chain.Read(DnsMessageView.Parse(Captures.ChainAnswer), question);
        var again = GC.GetAllocatedBytesForCurrentThread() - before;
        // The first read makes the chain's two target names; the same answer again reuses them.
        Assert.True(first > 0, "the first read allocates the targets it leads to");
        Assert.Equal(0, again);
    }

    [Fact]
    public void Building_queries_and_error_responses_allocates_nothing()
    {
        var name = DnsName.Parse("www.example.test");
        var edns = new DnsEdns();
        var buffer = new byte[512];
        var query = Captures.AaaaQueryEdns;

        void HotPath()
        {
            DnsQueries.TryWrite(buffer, 7, name, DnsType.AAAA, edns, out _);
            DnsResponses.TryWriteError(DnsMessageView.Parse(query), DnsRcode.ServFail, buffer, out _);
        }

        HotPath();
        var before = GC.GetAllocatedBytesForCurrentThread();
        for (var i = 0; i < 100; i++)
            HotPath();
        Assert.Equal(0, GC.GetAllocatedBytesForCurrentThread() - before);
    }
}
