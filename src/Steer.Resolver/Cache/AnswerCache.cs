using System.Numerics;
using Steer.Dns;

namespace Steer.Resolver.Cache;

/// <summary>
/// Whole answers, kept for their smallest TTL (RFC 2308 for negative answers: NXDOMAIN and
/// no-data answers are kept for their SOA minimum), keyed by <see cref="CacheKey"/>, within a
/// memory budget in bytes (steer.yaml <c>dns.cache-size</c>).
/// </summary>
/// <remarks>
/// A hash table of bucket chains. Readers (every UDP worker, on every query) take no lock and
/// allocate nothing: they read a bucket head and follow links, and mark the entry they hit as
/// referenced (one plain byte store, only when not marked yet). Writers (cache misses, far
/// fewer) serialise on one lock, publish a new entry at the head of its bucket with a volatile
/// write, and unlink old ones; a reader that is on an unlinked entry still finds a consistent
/// entry or the rest of the chain.
/// Bounded by bytes (<see cref="CacheEntry.Size"/>: the answer's wire bytes, the key, the TTL
/// offsets and a fixed overhead per entry): when an insert would pass the budget, a CLOCK sweep
/// from a rotating bucket cursor frees a sixteenth of it — expired entries and entries not hit
/// since the hand last passed go, hit ones lose their mark and get a second chance. That is
/// LRU-ish at the cost of one byte per entry, and nothing on the hit path but that byte.
/// SERVFAIL, truncated answers and answers with nothing to take a TTL from are not kept.
/// </remarks>
internal sealed class AnswerCache
{
    /// <summary>Bucket count per byte of budget: one bucket per 512 bytes, so chains stay short
    /// for typical answers (a few hundred bytes with the overhead).</summary>
    private const int BytesPerBucket = 512;
    private const int MaxBuckets = 1 << 22;

    private readonly CacheEntry?[] _buckets;
    private readonly int _mask;
    private readonly uint _maxTtl;
    private readonly Lock _write = new();
    private long _budget;
    private long _bytes;
    private int _count;
    private int _cursor;

    public AnswerCache(long budgetBytes, uint maxTtl)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(budgetBytes, CacheEntry.Overhead * 16L, nameof(budgetBytes));
        _budget = budgetBytes;
        _maxTtl = maxTtl;
        int size = (int)BitOperations.RoundUpToPowerOf2((uint)Math.Clamp(budgetBytes / BytesPerBucket, 16, MaxBuckets));
        _buckets = new CacheEntry?[size];
        _mask = size - 1;
    }

    public int Count => Volatile.Read(ref _count);

    /// <summary>What the entries held count for now (<see cref="CacheEntry.Size"/> summed).</summary>
    public long Bytes => Interlocked.Read(ref _bytes);

    /// <summary>The budget; lowering it takes effect at the next insert (`steer apply`).</summary>
    public long Budget
    {
        get => Interlocked.Read(ref _budget);
        set
        {
            ArgumentOutOfRangeException.ThrowIfLessThan(value, CacheEntry.Overhead * 16L, nameof(Budget));
            Interlocked.Exchange(ref _budget, value);
        }
    }

    /// <summary>The entry for a key, expired or not (the caller checks its time), or null. Marks
    /// it referenced for the eviction sweep.</summary>
    public CacheEntry? Find(ReadOnlySpan<byte> key, int hash)
    {
        for (var entry = Volatile.Read(ref _buckets[hash & _mask]); entry is not null; entry = Volatile.Read(ref entry.Next))
        {
            if (entry.Hash == hash && key.SequenceEqual(entry.Key))
            {
                if (entry.Referenced == 0) // store only when it changes: hot entries' lines stay shared
                    entry.Referenced = 1;
                return entry;
            }
        }
        return null;
    }

    /// <summary>Keeps an upstream answer; returns the entry, or null when it is not cacheable.</summary>
    public CacheEntry? Store(ReadOnlySpan<byte> key, int hash, DnsMessageView answer, long nowMs, object generation, bool hasDecisions)
    {
        if (answer.Header.Truncated || (answer.Rcode != DnsRcode.NoError && answer.Rcode != DnsRcode.NXDomain)
            || !DnsTtl.TryGetMinimum(answer, out uint ttl))
            return null;
        ttl = Math.Min(ttl, _maxTtl);
        if (ttl == 0)
            return null;
        int records = 0;
        foreach (var record in answer.Records)
            if (record.Type != DnsType.OPT)
                records++;
        if (CacheEntry.SizeFor(CacheEntry.BlobLength(key.Length, answer.Bytes.Length, records)) > Budget / 16)
            return null; // checked before allocating too: a blob on the pinned heap stays until a gen2 GC
        var entry = CacheEntry.ForAnswer(key, hash, answer, records, _maxTtl, nowMs, nowMs + ttl * 1000L, generation, hasDecisions);
        Insert(entry, nowMs);
        return entry;
    }

    /// <summary>Remembers that a name is refused under this generation of the rules.</summary>
    public void StoreRefusal(ReadOnlySpan<byte> key, int hash, long nowMs, TimeSpan ttl, object generation) =>
        Insert(CacheEntry.ForRefusal(key, hash, nowMs, nowMs + (long)ttl.TotalMilliseconds, generation), nowMs);

    public void Clear()
    {
        lock (_write)
        {
            Array.Clear(_buckets);
            _count = 0;
            Interlocked.Exchange(ref _bytes, 0);
        }
    }

    private void Insert(CacheEntry entry, long nowMs)
    {
        lock (_write)
        {
            long budget = Budget;
            if (entry.Size > budget / 16)
                return; // one answer may not take a sixteenth of the cache (at 64 KiB: 4 KiB)
            if (_bytes + entry.Size > budget)
                Evict(budget - budget / 16 - entry.Size, nowMs);
            ref var head = ref _buckets[entry.Hash & _mask];
            // Drop the old entry of the same key and any expired ones of this bucket.
            CacheEntry? previous = null;
            for (var e = head; e is not null; e = e.Next)
            {
                if (e.ExpiresMs <= nowMs || (e.Hash == entry.Hash && e.Key.SequenceEqual(entry.Key)))
                    Unlink(ref head, previous, e);
                else
                    previous = e;
            }
            entry.Next = head;
            Volatile.Write(ref head, entry);
            _count++;
            Interlocked.Add(ref _bytes, entry.Size);
        }
    }

    /// <summary>CLOCK: walks buckets from the cursor until the entries fit in
    /// <paramref name="target"/> bytes. Two turns at most: the first may only clear marks.</summary>
    private void Evict(long target, long nowMs)
    {
        for (int visited = 0; visited < 2 * _buckets.Length && _bytes > target; visited++)
        {
            _cursor = (_cursor + 1) & _mask;
            ref var head = ref _buckets[_cursor];
            CacheEntry? previous = null;
            for (var e = head; e is not null; e = e.Next)
            {
                if (e.ExpiresMs <= nowMs || e.Referenced == 0)
                {
                    Unlink(ref head, previous, e);
                }
                else
                {
                    e.Referenced = 0;
                    previous = e;
                }
            }
        }
    }

    /// <summary>Takes <paramref name="e"/> out of its chain; readers on it still find the rest
    /// of the chain through its Next, which is left as it was.</summary>
    private void Unlink(ref CacheEntry? head, CacheEntry? previous, CacheEntry e)
    {
        if (previous is null)
            Volatile.Write(ref head, e.Next);
        else
            Volatile.Write(ref previous.Next, e.Next);
        _count--;
        Interlocked.Add(ref _bytes, -e.Size);
    }
}
