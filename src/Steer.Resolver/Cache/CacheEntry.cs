using System.Buffers.Binary;
using Steer.Dns;

namespace Steer.Resolver.Cache;

/// <summary>
/// One cached answer (or a remembered refusal). Immutable but for the time its decisions were
/// last written, its reference byte and the chain link, which only the cache's writer changes.
/// </summary>
/// <remarks>
/// Two objects per entry: this one and one byte array (the blob) that holds everything else,
/// laid out as
/// <code>
/// [ key (KeyLength) ][ answer (AnswerLength) ][ TTL offsets: one ushort, little-endian, per record ]
/// </code>
/// The answer is the upstream's as it came, but for its TTL fields, which hold the TTLs as
/// stored (sanitised, capped): a hit copies it and rewrites each listed field with that TTL less
/// the entry's age, without parsing. A refusal has no answer and no offsets. Offsets fit a
/// ushort: a message is at most 65,535 bytes.
/// Every object an answer leaves behind is promoted by each gen0 and gen1 GC it outlives (a copy
/// each time, inside the pause), and a cached answer outlives them: at 5,000 misses a second,
/// entries made up most of what those GCs copied. Fewer objects copy faster, and the blob, which
/// is most of the bytes, is allocated on the pinned object heap, which those GCs never copy: it
/// is only swept by gen2 GCs, where a cached answer ends up anyway (the price: the blob of an entry
/// evicted or replaced early stays until the next gen2 GC, where on the normal heap it might
/// have died young). A POH allocation costs more
/// than a gen0 one (it takes the GC's allocation lock, as large objects do, and searches a free
/// list): paid once per stored answer, by the thread that stores it and outside the cache's own
/// lock, against two copies saved later; hits never allocate.
/// </remarks>
internal sealed class CacheEntry
{
    private readonly byte[] _blob;
    private readonly int _keyLength;
    private readonly int _answerLength;

    private CacheEntry(byte[] blob, int keyLength, int answerLength, int hash, long storedMs, long expiresMs, object generation, bool hasDecisions)
    {
        _blob = blob;
        _keyLength = keyLength;
        _answerLength = answerLength;
        Hash = hash;
        StoredMs = storedMs;
        ExpiresMs = expiresMs;
        Generation = generation;
        HasDecisions = hasDecisions;
        DecidedMs = storedMs;
    }

    /// <summary>Bytes an entry costs beyond its blob's contents: this object (80 bytes on x64
    /// with .NET 10: header, three references, three longs, three ints, two bytes, padded) and
    /// the blob's array header (24) and padding to 8 bytes (at most 7), rounded up. Measured with
    /// GC.GetAllocatedBytesForCurrentThread: an entry with a 21-byte blob is 128 bytes, its blob 48.</summary>
    public const int Overhead = 112;

    /// <summary>The blob of an answer with <paramref name="records"/> TTL fields.</summary>
    public static int BlobLength(int keyLength, int answerLength, int records) => keyLength + answerLength + 2 * records;

    /// <summary>An answer's entry. <paramref name="records"/> is the number of its records that
    /// are not OPT; each of their TTLs is stored sanitised and capped at <paramref name="maxTtl"/>.</summary>
    public static CacheEntry ForAnswer(ReadOnlySpan<byte> key, int hash, DnsMessageView answer, int records, uint maxTtl,
        long storedMs, long expiresMs, object generation, bool hasDecisions)
    {
        var bytes = answer.Bytes;
        var blob = Allocate(BlobLength(key.Length, bytes.Length, records));
        key.CopyTo(blob);
        var stored = blob.AsSpan(key.Length, bytes.Length);
        bytes.CopyTo(stored);
        var offsets = blob.AsSpan(key.Length + bytes.Length);
        int i = 0;
        foreach (var record in answer.Records)
        {
            if (record.Type == DnsType.OPT)
                continue;
            if (i == records)
            {
                i++; // more than counted: refused below
                break;
            }
            int at = record.TtlOffset;
            BinaryPrimitives.WriteUInt16LittleEndian(offsets[(2 * i++)..], (ushort)at);
            uint ttl = Math.Min(DnsTtl.Sanitise(BinaryPrimitives.ReadUInt32BigEndian(stored[at..])), maxTtl);
            BinaryPrimitives.WriteUInt32BigEndian(stored[at..], ttl);
        }
        if (i != records)
            throw new ArgumentException($"the answer's records with a TTL are not {records}", nameof(records));
        return new CacheEntry(blob, key.Length, bytes.Length, hash, storedMs, expiresMs, generation, hasDecisions);
    }

    /// <summary>A refusal's entry: the key and nothing else.</summary>
    public static CacheEntry ForRefusal(ReadOnlySpan<byte> key, int hash, long storedMs, long expiresMs, object generation)
    {
        var blob = Allocate(key.Length);
        key.CopyTo(blob);
        return new CacheEntry(blob, key.Length, 0, hash, storedMs, expiresMs, generation, hasDecisions: false);
    }

    /// <summary>On the pinned object heap (see the remarks); every byte is written by the caller.</summary>
    private static byte[] Allocate(int length) => GC.AllocateUninitializedArray<byte>(length, pinned: true);

    /// <summary>What an entry with a blob of <paramref name="blobLength"/> bytes counts for.</summary>
    public static int SizeFor(int blobLength) => Overhead + blobLength;

    /// <summary>What this entry counts for against the cache's budget: its blob's contents (key,
    /// answer, TTL offsets) and <see cref="Overhead"/>.</summary>
    public int Size => SizeFor(_blob.Length);

    /// <summary>Hit since the eviction hand last passed (CLOCK's reference bit); racy by design.</summary>
    public byte Referenced;

    public ReadOnlySpan<byte> Key => new(_blob, 0, _keyLength);

    public int Hash { get; }

    /// <summary>A remembered refusal: no answer to copy.</summary>
    public bool IsRefusal => _answerLength == 0;

    /// <summary>The stored answer's length in bytes (0 for a refusal).</summary>
    public int AnswerLength => _answerLength;

    /// <summary>Writes the stored answer into <paramref name="destination"/> (exactly
    /// <see cref="AnswerLength"/> bytes) with every TTL aged by <paramref name="age"/> seconds,
    /// stopping at zero. The ID and question are the upstream's; the caller patches them.</summary>
    public void CopyAnswerTo(Span<byte> destination, uint age)
    {
        var blob = _blob;
        int offsetsStart = _keyLength + _answerLength;
        blob.AsSpan(_keyLength, _answerLength).CopyTo(destination);
        for (int i = offsetsStart; i < blob.Length; i += 2)
        {
            var field = destination[BinaryPrimitives.ReadUInt16LittleEndian(blob.AsSpan(i))..];
            uint ttl = BinaryPrimitives.ReadUInt32BigEndian(field);
            BinaryPrimitives.WriteUInt32BigEndian(field, ttl > age ? ttl - age : 0);
        }
    }

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
