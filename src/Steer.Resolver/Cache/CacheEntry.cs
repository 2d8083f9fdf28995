namespace Steer.Resolver.Cache;

/// <summary>
/// One cached answer (or a remembered refusal). Immutable but for the time its decisions were
/// last written and the chain link, which only the cache's writer changes. The answer's TTL
/// fields are listed once, at store time, so a hit rewrites them in place without parsing.
/// </summary>
internal sealed class CacheEntry
{
    public CacheEntry(byte[] key, int hash, byte[]? answer, int[] ttlOffsets, uint[] ttls, long storedMs, long expiresMs, object generation, bool hasDecisions)
    {
        Key = key;
        Hash = hash;
        Answer = answer;
        TtlOffsets = ttlOffsets;
        Ttls = ttls;
        StoredMs = storedMs;
        ExpiresMs = expiresMs;
        Generation = generation;
        HasDecisions = hasDecisions;
        DecidedMs = storedMs;
        Size = Overhead + key.Length + (answer?.Length ?? 0) + 8 * ttls.Length;
    }

    /// <summary>Bytes an entry costs beyond its arrays' contents: the entry object and four
    /// array headers (measured with .NET 10 on x64: 104 + 4 × 24), rounded up.</summary>
    public const int Overhead = 208;

    /// <summary>What this entry counts for against the cache's budget: its key, answer and TTL
    /// lists, and <see cref="Overhead"/>.</summary>
    public int Size { get; }

    /// <summary>Hit since the eviction hand last passed (CLOCK's reference bit); racy by design.</summary>
    public byte Referenced;

    public byte[] Key { get; }

    public int Hash { get; }

    /// <summary>The upstream's answer as it came (its ID is patched per hit); null for a refusal.</summary>
    public byte[]? Answer { get; }

    public int[] TtlOffsets { get; }

    /// <summary>Each record's TTL as stored, capped; aged on every hit.</summary>
    public uint[] Ttls { get; }

    /// <summary>Environment.TickCount64 when stored, and when the answer stops being served.</summary>
    public long StoredMs { get; }

    public long ExpiresMs { get; }

    /// <summary>The policy generation (rule set) it was made under.</summary>
    public object Generation { get; }

    /// <summary>The answer put addresses into the kernel: hits refresh them now and then.</summary>
    public bool HasDecisions { get; }

    /// <summary>When its decisions were last written (TickCount64); racy by design: two workers
    /// refreshing at once write the same decisions twice, which is harmless.</summary>
    public long DecidedMs;

    /// <summary>Next entry of the same bucket; readers follow it without a lock.</summary>
    public CacheEntry? Next;
}
