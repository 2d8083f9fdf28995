using System.Buffers.Binary;

namespace Steer.Dns;

/// <summary>TTL arithmetic for caching whole answers.</summary>
public static class DnsTtl
{
    /// <summary>The largest TTL RFC 2181 §8 allows (2^31 - 1).</summary>
    public const uint Max = int.MaxValue;

    /// <summary>RFC 2181 §8: a TTL with the top bit set is treated as zero.</summary>
    public static uint Sanitise(uint raw) => raw > Max ? 0 : raw;

    /// <summary>
    /// How long the whole message may be cached: the smallest TTL of its records (OPT excluded). An SOA
    /// in the authority section counts as min(its TTL, its MINIMUM field), which is how long a negative
    /// answer may be cached (RFC 2308 §5). False when there is no record to take a TTL from.
    /// </summary>
    public static bool TryGetMinimum(DnsMessageView message, out uint ttl)
    {
        ttl = uint.MaxValue;
        foreach (var record in message.Records)
        {
            if (record.Type == DnsType.OPT)
                continue;
            var recordTtl = record.Ttl;
            if (record.Type == DnsType.SOA && record.Section == DnsSection.Authority)
                recordTtl = Math.Min(recordTtl, Sanitise(SoaMinimum(message.Bytes, record)));
            ttl = Math.Min(ttl, recordTtl);
        }
        var found = ttl != uint.MaxValue;
        if (!found)
            ttl = 0;
        return found;
    }

    /// <summary>
    /// Ages a cached message in place: every TTL (OPT's field excepted, it holds flags) goes down by
    /// <paramref name="seconds"/>, stopping at zero. The message is checked first; a bad one is left unchanged.
    /// </summary>
    public static bool TryDecrement(Span<byte> message, uint seconds, out DnsParseError error)
    {
        if (!DnsMessageView.TryParse(message, out var view, out error))
            return false;
        foreach (var record in view.Records)
        {
            if (record.Type == DnsType.OPT)
                continue;
            var ttl = record.Ttl;
            BinaryPrimitives.WriteUInt32BigEndian(message[record.TtlOffset..], ttl > seconds ? ttl - seconds : 0);
        }
        return true;
    }

    /// <exception cref="DnsFormatException">The message is malformed (and was left unchanged).</exception>
    public static void Decrement(Span<byte> message, uint seconds)
    {
        if (!TryDecrement(message, seconds, out var error))
            throw error.ToException();
    }

    private static uint SoaMinimum(ReadOnlySpan<byte> message, DnsRecordView soa) =>
        BinaryPrimitives.ReadUInt32BigEndian(message[(soa.RDataOffset + soa.RDataLength - 4)..]);
}
