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
    /// record (so the client still sees EDNS). Compression pointers point backward, yet the labels they
    /// lead to may run on past the cut, so every cut is parsed again before it is given out and cut
    /// shorter if it does not read. TC is set when an answer or
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
        if (response.QuestionSectionEnd > budget)
            return false;
        // A cut is re-read before it is given out: pointers point backward, but the labels found at
        // an earlier offset may run on into the dropped bytes. Each retry drops one more record;
        // a pathological message ends with its questions only.
        for (var attempt = 0; attempt < MaxCutAttempts; attempt++)
        {
            var keepNoRecords = attempt == MaxCutAttempts - 1;
            if (!TryCut(response, keepNoRecords ? response.QuestionSectionEnd : budget, optTail, hasOpt, destination, out written, out truncated))
                return false;
            if (DnsMessageView.TryParse(destination[..written], out _, out _))
                return true;
            budget = written - optLength - 1;
        }
        written = 0;
        return false;
    }

    private const int MaxCutAttempts = 4;

    /// <summary>Header, questions, the whole records that end within <paramref name="budget"/>, then OPT.</summary>
    private static bool TryCut(DnsMessageView response, int budget, ReadOnlySpan<byte> optTail, bool hasOpt, Span<byte> destination, out int written, out bool truncated)
    {
        var bytes = response.Bytes;
        var optLength = hasOpt ? 1 + optTail.Length : 0;
        written = 0;
        truncated = false;
        var end = response.QuestionSectionEnd;
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
