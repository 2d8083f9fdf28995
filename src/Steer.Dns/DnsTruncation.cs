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

        // The OPT record is re-written with a literal root owner: a sender may have spelt the root as a
        // pointer, whose target could be among the dropped bytes.
        var hasOpt = response.TryGetEdns(out var edns);
        var optTail = hasOpt ? bytes[WireName.SkipValidated(bytes, edns.Offset)..(edns.Offset + edns.Length)] : default;
        var optLength = hasOpt ? 1 + optTail.Length : 0;
        var budget = maxSize - optLength;
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
        if (destination.Length < end + optLength)
            return false;

        bytes[..end].CopyTo(destination);
        if (hasOpt)
        {
            destination[end] = 0;
            optTail.CopyTo(destination[(end + 1)..]);
        }
        BinaryPrimitives.WriteUInt16BigEndian(destination[6..], (ushort)kept[0]);
        BinaryPrimitives.WriteUInt16BigEndian(destination[8..], (ushort)kept[1]);
        BinaryPrimitives.WriteUInt16BigEndian(destination[10..], (ushort)(kept[2] + (hasOpt ? 1 : 0)));
        if (truncated)
            destination[2] |= 0x02;
        written = end + optLength;
        return true;
    }
}
