using System.Buffers.Binary;
using System.Numerics;
using Steer.Dns;

namespace Steer.Resolver.Cache;

/// <summary>
/// Whole answers, kept for their smallest TTL (RFC 2308 for negative answers: NXDOMAIN and
/// no-data answers are kept for their SOA minimum), keyed by <see cref="CacheKey"/>.
/// </summary>
/// <remarks>
/// A hash table of bucket chains. Readers (every UDP worker, on every query) take no lock and
/// allocate nothing: they read a bucket head and follow links. Writers (cache misses, far fewer)
/// serialise on one lock, publish a new entry at the head of its bucket with a volatile write,
/// and unlink old ones; a reader that is on an unlinked entry still finds a consistent entry or
/// the rest of the chain. Bounded: when full, a sweep from a rotating cursor frees a sixteenth of
/// the capacity, expired entries first in each bucket it visits — approximately random
/// eviction, which needs no per-hit bookkeeping.
/// SERVFAIL, truncated answers and answers with nothing to take a TTL from are not kept.
/// </remarks>
internal sealed class AnswerCache
{
    private readonly CacheEntry?[] _buckets;
    private readonly int _mask;
    private readonly int _capacity;
    private readonly uint _maxTtl;
    private readonly Lock _write = new();
    private int _count;
    private int _cursor;

    public AnswerCache(int capacity, uint maxTtl)
    {
        _capacity = capacity;
        _maxTtl = maxTtl;
        int size = (int)BitOperations.RoundUpToPowerOf2((uint)capacity);
        _buckets = new CacheEntry?[size];
        _mask = size - 1;
    }

    public int Count => Volatile.Read(ref _count);

    /// <summary>The entry for a key, expired or not (the caller checks its time), or null.</summary>
    public CacheEntry? Find(ReadOnlySpan<byte> key, int hash)
    {
        for (var entry = Volatile.Read(ref _buckets[hash & _mask]); entry is not null; entry = Volatile.Read(ref entry.Next))
            if (entry.Hash == hash && key.SequenceEqual(entry.Key))
                return entry;
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
        var offsets = new int[records];
        var ttls = new uint[records];
        int i = 0;
        foreach (var record in answer.Records)
        {
            if (record.Type == DnsType.OPT)
                continue;
            offsets[i] = record.TtlOffset;
            ttls[i++] = Math.Min(DnsTtl.Sanitise(BinaryPrimitives.ReadUInt32BigEndian(answer.Bytes[record.TtlOffset..])), _maxTtl);
        }
        var entry = new CacheEntry(key.ToArray(), hash, answer.Bytes.ToArray(), offsets, ttls, nowMs, nowMs + ttl * 1000L, generation, hasDecisions);
        Insert(entry, nowMs);
        return entry;
    }

    /// <summary>Remembers that a name is refused under this generation of the rules.</summary>
    public void StoreRefusal(ReadOnlySpan<byte> key, int hash, long nowMs, TimeSpan ttl, object generation) =>
        Insert(new CacheEntry(key.ToArray(), hash, null, [], [], nowMs, nowMs + (long)ttl.TotalMilliseconds, generation, false), nowMs);

    public void Clear()
    {
        lock (_write)
        {
            Array.Clear(_buckets);
            _count = 0;
        }
    }

    private void Insert(CacheEntry entry, long nowMs)
    {
        lock (_write)
        {
            if (_count >= _capacity)
                Evict();
            ref var head = ref _buckets[entry.Hash & _mask];
            // Drop the old entry of the same key and any expired ones of this bucket.
            CacheEntry? previous = null;
            for (var e = head; e is not null; e = e.Next)
            {
                if (e.ExpiresMs <= nowMs || (e.Hash == entry.Hash && e.Key.AsSpan().SequenceEqual(entry.Key)))
                {
                    if (previous is null)
                        Volatile.Write(ref head, e.Next);
                    else
                        Volatile.Write(ref previous.Next, e.Next);
                    _count--;
                }
                else
                {
                    previous = e;
                }
            }
            entry.Next = head;
            Volatile.Write(ref head, entry);
            _count++;
        }
    }

    private void Evict()
    {
        int target = _capacity - _capacity / 16;
        for (int visited = 0; visited < _buckets.Length && _count > target; visited++)
        {
            _cursor = (_cursor + 1) & _mask;
            ref var head = ref _buckets[_cursor];
            for (var e = head; e is not null; e = e.Next)
                _count--;
            Volatile.Write(ref head, null);
        }
    }
}
