using System.Net.Sockets;
using Steer.Dns;
using Steer.Resolver.Cache;
using Steer.Resolver.Clients;

namespace Steer.Resolver.Tests;

public sealed class AllocationTests
{
    private sealed class NoOrigin : IClientOrigin
    {
        public ClientSink CreateSink() => throw new InvalidOperationException("a cache hit must not need a sink");
    }

    [Fact]
    public void A_cache_hit_and_an_error_response_allocate_nothing()
    {
        var policy = new FakePolicy();
        var cache = new AnswerCache(1 << 20, 86_400);
        var processor = new QueryProcessor(policy, cache, ResolverOptions.Default, new LatencyHistogram(), new ResolverCounters(), TextWriter.Null);
        var query = Harness.Query("www.Example.test", edns: true);
        var answer = FakeUpstream.Answer(query);
        Span<byte> key = stackalloc byte[CacheKey.MaxLength];
        Assert.True(CacheKey.TryWrite(DnsMessageView.Parse(query), key, out int length, out _));
        cache.Store(key[..length], CacheKey.Hash(key[..length]), DnsMessageView.Parse(answer), Environment.TickCount64, policy.Generation, hasDecisions: false);

        var response = new byte[65536];
        var scratch = new byte[65536];
        var counters = new ResolverCounters();
        var origin = new NoOrigin();
        var malformed = new byte[] { 1, 2, 3, 4, 5 };
        for (int i = 0; i < 100; i++) // warm up (JIT, tiering)
        {
            processor.Handle(query, response, scratch, udp: true, origin, counters);
            processor.Handle(malformed, response, scratch, udp: true, origin, counters);
        }
        long before = GC.GetAllocatedBytesForCurrentThread();
        for (int i = 0; i < 1000; i++)
        {
            Assert.True(processor.Handle(query, response, scratch, udp: true, origin, counters) > 0);
            Assert.True(processor.Handle(malformed, response, scratch, udp: true, origin, counters) > 0);
        }
        Assert.Equal(0, GC.GetAllocatedBytesForCurrentThread() - before);
        Assert.Equal(1100, counters.CacheHits);
    }
}
