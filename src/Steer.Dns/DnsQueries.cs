namespace Steer.Dns;

/// <summary>Building the queries Steer sends upstream.</summary>
public static class DnsQueries
{
    /// <summary>
    /// Writes a standard query (opcode QUERY, one question, class IN) with the RD bit, and an OPT record
    /// when <paramref name="edns"/> is given. False if the buffer is too small.
    /// </summary>
    public static bool TryWrite(
        Span<byte> destination, ushort id, DnsName name, DnsType type, DnsEdns? edns, out int written,
        bool recursionDesired = true, bool checkingDisabled = false)
    {
        written = 0;
        if (destination.Length < DnsHeader.Size)
            return false;
        var header = new DnsHeader(id, 0) { RecursionDesired = recursionDesired, CheckingDisabled = checkingDisabled };
        var writer = new DnsMessageWriter(destination, header);
        if (!writer.TryWriteQuestion(name, type) || (edns is not null && !writer.TryWriteOpt(edns)))
            return false;
        written = writer.Length;
        return true;
    }
}
