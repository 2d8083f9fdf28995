using System.Buffers.Binary;
using Steer.Dns;
using Steer.Resolver.Cache;

namespace Steer.Resolver.Tests;

/// <summary>A cache entry keeps key, answer and TTL fields in one blob, and hands the answer
/// back with its TTLs aged and nothing else changed.</summary>
public sealed class CacheEntryTests
{
    private static readonly object Generation = new();

    /// <summary>A CNAME (TTL over the cap), an A (TTL 300), an A whose TTL has the top bit set
    /// (RFC 2181 §8: zero), and an OPT with DO (its TTL field holds flags, not a TTL).</summary>
    private static byte[] Answer()
    {
        var name = DnsName.Parse("www.example.test");
        var target = DnsName.Parse("cdn.example.test");
        var bytes = new DnsMessage
        {
            Header = new DnsHeader { Id = 7, IsResponse = true, RecursionDesired = true, RecursionAvailable = true },
            Questions = [new DnsQuestion(name, DnsType.A, DnsClass.IN)],
            Answers = [DnsRecord.Cname(name, 100_000, target), DnsRecord.Address(target, 300, DnsAddress.Parse("192.0.2.1")),
                DnsRecord.Address(target, 60, DnsAddress.Parse("192.0.2.2"))],
            Edns = new DnsEdns { DnssecOk = true },
        }.ToArray();
        int third = 0, seen = 0;
        foreach (var record in DnsMessageView.Parse(bytes).Answers)
            if (seen++ == 2)
                third = record.TtlOffset;
        BinaryPrimitives.WriteUInt32BigEndian(bytes.AsSpan(third), 0x8000_0010);
        return bytes;
    }

    private static uint[] Ttls(ReadOnlySpan<byte> message)
    {
        var list = new List<uint>();
        foreach (var record in DnsMessageView.Parse(message).Records)
            list.Add(record.RawTtl);
        return [.. list];
    }

    [Fact]
    public void A_hit_gets_the_answer_with_capped_and_aged_TTLs_and_everything_else_as_it_came()
    {
        var answer = Answer();
        var key = "key"u8.ToArray();
        var entry = CacheEntry.ForAnswer(key, 42, DnsMessageView.Parse(answer), records: 3, maxTtl: 3600, 0, 1000, Generation, hasDecisions: true);

        Assert.False(entry.IsRefusal);
        Assert.Equal(key, entry.Key.ToArray());
        Assert.Equal(answer.Length, entry.AnswerLength);
        Assert.Equal(CacheEntry.Overhead + key.Length + answer.Length + 2 * 3, entry.Size);

        var copy = new byte[answer.Length];
        entry.CopyAnswerTo(copy, age: 0);
        Assert.Equal([3600u, 300u, 0u, 0x8000u], Ttls(copy)); // OPT: extended rcode 0, version 0, flags DO
        entry.CopyAnswerTo(copy, age: 400);
        Assert.Equal([3200u, 0u, 0u, 0x8000u], Ttls(copy));

        // Apart from the TTL fields, the bytes are the upstream's.
        var expected = (byte[])answer.Clone();
        foreach (var record in DnsMessageView.Parse(answer).Records)
            expected.AsSpan(record.TtlOffset, 4).CopyTo(copy.AsSpan(record.TtlOffset));
        Assert.Equal(expected, copy);
    }

    [Fact]
    public void A_refusal_is_its_key_and_nothing_else()
    {
        var entry = CacheEntry.ForRefusal("refused-key"u8, 1, 0, 60_000, Generation);
        Assert.True(entry.IsRefusal);
        Assert.Equal("refused-key"u8.ToArray(), entry.Key.ToArray());
        Assert.Equal(CacheEntry.Overhead + "refused-key".Length, entry.Size);
    }

    [Fact]
    public void A_record_count_that_does_not_match_the_answer_is_refused()
    {
        var answer = Answer();
        Assert.Throws<ArgumentException>(() => CacheEntry.ForAnswer("k"u8, 1, DnsMessageView.Parse(answer), records: 2, 3600, 0, 1000, Generation, false));
        Assert.Throws<ArgumentException>(() => CacheEntry.ForAnswer("k"u8, 1, DnsMessageView.Parse(answer), records: 4, 3600, 0, 1000, Generation, false));
    }
}
