using Steer.Dns;
using Steer.Resolver.Cache;

namespace Steer.Resolver.Tests;

/// <summary>The answer cache holds to its byte budget (dns.cache-size) and evicts LRU-ish.</summary>
public sealed class AnswerCacheTests
{
    private static readonly object Generation = new();

    private static (byte[] Key, int Hash) Store(AnswerCache cache, string name, long now = 0)
    {
        var query = Harness.Query(name);
        var answer = FakeUpstream.Answer(query);
        var key = new byte[CacheKey.MaxLength];
        Assert.True(CacheKey.TryWrite(DnsMessageView.Parse(query), key, out int length, out _));
        key = key[..length];
        int hash = CacheKey.Hash(key);
        Assert.NotNull(cache.Store(key, hash, DnsMessageView.Parse(answer), now, Generation, hasDecisions: false));
        return (key, hash);
    }

    [Fact]
    public void The_cache_never_holds_more_bytes_than_its_budget()
    {
        const long budget = 64 << 10;
        var cache = new AnswerCache(budget, 86_400);
        long largest = 0;
        for (int i = 0; i < 5000; i++)
        {
            Store(cache, $"name{i}.example.test");
            Assert.True(cache.Bytes <= budget, $"{cache.Bytes} bytes after {i + 1} answers");
            largest = Math.Max(largest, cache.Bytes);
        }
        // It is used, not just bounded: at least the part a sweep leaves (15/16) minus one entry.
        Assert.True(largest > budget * 15 / 16 - 1024, $"at most {largest} bytes used");
        // Every entry counts its answer and key and the overhead: a few hundred bytes here.
        Assert.InRange(cache.Bytes / cache.Count, CacheEntry.Overhead + 40, CacheEntry.Overhead + 200);
    }

    [Fact]
    public void Entries_hit_since_the_last_sweep_outlive_those_that_were_not()
    {
        var cache = new AnswerCache(256 << 10, 86_400);
        var hot = Enumerable.Range(0, 50).Select(i => Store(cache, $"hot{i}.example.test")).ToArray();
        for (int i = 0; i < 20_000; i++)
        {
            Store(cache, $"cold{i}.example.test");
            if (i % 100 == 0)
                foreach (var (key, hash) in hot)
                    cache.Find(key, hash); // hit: marked for a second chance
        }
        int hotLeft = hot.Count(h => cache.Find(h.Key, h.Hash) is not null);
        Assert.True(hotLeft >= 45, $"only {hotLeft} of 50 hit entries survived");
        int coldLeft = Enumerable.Range(0, 1000).Count(i => cache.Find(Key($"cold{i}.example.test"), CacheKey.Hash(Key($"cold{i}.example.test"))) is not null);
        Assert.True(coldLeft < 50, $"{coldLeft} of the first 1000 never-hit entries survived");
    }

    [Fact]
    public void A_smaller_budget_takes_effect_at_the_next_insert()
    {
        var cache = new AnswerCache(1 << 20, 86_400);
        for (int i = 0; i < 3000; i++)
            Store(cache, $"name{i}.example.test");
        Assert.True(cache.Bytes > 512 << 10);
        cache.Budget = 128 << 10;
        Store(cache, "one-more.example.test");
        Assert.True(cache.Bytes <= 128 << 10, $"{cache.Bytes} bytes");
    }

    [Fact]
    public void A_budget_too_small_to_hold_anything_is_refused()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => new AnswerCache(1000, 86_400));
    }

    private static byte[] Key(string name)
    {
        var key = new byte[CacheKey.MaxLength];
        Assert.True(CacheKey.TryWrite(DnsMessageView.Parse(Harness.Query(name)), key, out int length, out _));
        return key[..length];
    }
}
