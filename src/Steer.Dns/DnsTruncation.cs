using System.Buffers.Binary;

namespace Steer.Dns;

/// <summary>Fitting an answer into what a UDP client can take (RFC 1035 §4.2.1, RFC 6891 §7, RFC 2181 §9).</summary>
public static class DnsTruncation
{
    /// <summary>The largest response a UDP client can take: its EDNS payload size (at least 512), else 512.</summary>
    public static int UdpLimitFor(DnsMessageView query) =>
        query.TryGetEdns(out var edns) ? edns.EffectiveUdpPayloadSize : DnsLimits.MinUdpPayloadSize;

    /// <summary>
    /// Copies <paramref name="response"/> into <paramref name="destination"/>, cut to at most
    /// <paramref name="maxSize"/> bytes (never below 512) if it is longer.
    /// </summary>
    /// <remarks>
    /// A cut keeps the header, the questions, as many whole records as fit in wire order, and the OPT
    /// record (so the client still sees EDNS). Keeping a prefix is always valid: compression pointers only
    /// point backward, so the kept records never refer to dropped ones. TC is set when an answer or
    /// authority record was dropped; losing only additional records does not need it (RFC 2181 §9).
    /// </remarks>
    /// <param name="truncated">True when TC was set: the client should retry over TCP.</param>
    /// <returns>False when even the questions and OPT do not fit, or the destination is too small.</returns>
    public static bool TryFit(DnsMessageView response, int maxSize, Span<byte> destination, out int written, out bool truncated)
    {
        written = 0;
        truncated = false;
        var bytes = response.Bytes;
        maxSize = Math.Clamp(maxSize, DnsLimits.MinUdpPayloadSize, DnsLimits.MaxMessageLength);
        if (bytes.Length <= maxSize)
        {
            if (!bytes.TryCopyTo(destination))
                return false;
            written = bytes.Length;
            return true;
        }

        var opt = response.TryGetEdns(out var edns) ? bytes.Slice(edns.Offset, edns.Length) : default;
        var budget = maxSize - opt.Length;
        var end = response.QuestionSectionEnd;
        if (end > budget)
            return false;
        Span<int> kept = stackalloc int[3];
        foreach (var record in response.Records)
        {
            var recordEnd = record.Offset + record.Length;
            if (record.Type == DnsType.OPT || recordEnd > budget)
            {
                truncated = record.Section != DnsSection.Additional;
                break;
            }
            kept[(int)record.Section - 1]++;
            end = recordEnd;
        }
        if (destination.Length < end + opt.Length)
            return false;

        bytes[..end].CopyTo(destination);
        opt.CopyTo(destination[end..]);
        BinaryPrimitives.WriteUInt16BigEndian(destination[6..], (ushort)kept[0]);
        BinaryPrimitives.WriteUInt16BigEndian(destination[8..], (ushort)kept[1]);
        BinaryPrimitives.WriteUInt16BigEndian(destination[10..], (ushort)(kept[2] + (opt.IsEmpty ? 0 : 1)));
        if (truncated)
            destination[2] |= 0x02;
        written = end + opt.Length;
        return true;
    }
}
