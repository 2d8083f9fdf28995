namespace Steer.Dns;

/// <summary>Building the responses Steer makes itself rather than forwarding: errors that echo the query.</summary>
public static class DnsResponses
{
    /// <summary>
    /// Writes an error response (SERVFAIL, REFUSED, FORMERR, ...) to a query that parsed: the query's
    /// ID, opcode, RD and CD, its question section byte for byte, no records, and an OPT record if the
    /// query had one (RFC 6891 §7) — which is also the only way to send a code above 15, such as BADVERS.
    /// </summary>
    /// <param name="udpPayloadSize">What Steer itself advertises in the OPT record.</param>
    /// <exception cref="ArgumentException">A code above 15 for a query without EDNS: it cannot be expressed.</exception>
    public static bool TryWriteError(
        DnsMessageView query, DnsRcode rcode, Span<byte> destination, out int written, ushort udpPayloadSize = 1232)
    {
        written = 0;
        var hasEdns = query.HasEdns;
        if ((int)rcode > 15 && !hasEdns)
            throw new ArgumentException($"rcode {rcode} needs EDNS, and the query has none", nameof(rcode));
        if (destination.Length < DnsHeader.Size)
            return false;
        var writer = new DnsMessageWriter(destination, ErrorHeader(query.Header, rcode));
        if (!writer.TryCopyQuestions(query))
            return false;
        if (hasEdns && !writer.TryWriteOpt(udpPayloadSize, (byte)((int)rcode >> 4), version: 0, flags: 0))
            return false;
        written = writer.Length;
        return true;
    }

    /// <summary>
    /// Writes FORMERR for bytes that did not parse as a query: just the header, with the ID if at least
    /// two bytes arrived (RFC 1035 leaves the question out when it cannot be read). False when there is
    /// not even an ID to answer to, or the buffer is smaller than a header.
    /// </summary>
    public static bool TryWriteFormatError(ReadOnlySpan<byte> unparsable, Span<byte> destination, out int written)
    {
        written = 0;
        if (!DnsMessageEdits.TryReadId(unparsable, out var id) || destination.Length < DnsHeader.Size)
            return false;
        // Echo opcode and RD when the flags arrived; a client matches replies on them.
        var flags = unparsable.Length >= 4 ? (ushort)((unparsable[2] << 8) | unparsable[3]) : (ushort)0;
        var writer = new DnsMessageWriter(destination, ErrorHeader(new DnsHeader(id, flags), DnsRcode.FormErr));
        written = writer.Length;
        return true;
    }

    private static DnsHeader ErrorHeader(DnsHeader query, DnsRcode rcode) =>
        new DnsHeader(query.Id, 0)
        {
            IsResponse = true,
            Opcode = query.Opcode,
            RecursionDesired = query.RecursionDesired,
            CheckingDisabled = query.CheckingDisabled,
            RecursionAvailable = true,
            Rcode = (DnsRcode)((int)rcode & 0xF),
        };
}
