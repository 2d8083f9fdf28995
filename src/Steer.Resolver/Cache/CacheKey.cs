using Steer.Dns;

namespace Steer.Resolver.Cache;

/// <summary>
/// The cache key of a query, written into a caller's buffer without allocating: the question's
/// name as wire bytes with ASCII letters lowercased (so 'Example.COM' and 'example.com', and DNS
/// 0x20 case randomisation, share an entry), then its type and class, then one byte of the flags
/// that change the answer (EDNS present, DO, CD, RD).
/// </summary>
internal static class CacheKey
{
    /// <summary>Longest key: a 255-byte name, type, class, flags.</summary>
    public const int MaxLength = DnsLimits.MaxNameLength + 5;

    /// <summary>Writes the key; false when the query cannot be cached (not exactly one question,
    /// or a question name that is not literal at offset 12).</summary>
    public static bool TryWrite(DnsMessageView query, Span<byte> key, out int length, out int questionEnd)
    {
        length = 0;
        questionEnd = query.QuestionSectionEnd;
        int nameEnd = questionEnd - 4;
        if (query.QuestionCount != 1 || !query.TryGetQuestion(out var question) || question.Name.WireLength != nameEnd - DnsHeader.Size)
            return false;
        var bytes = query.Bytes;
        var name = bytes[DnsHeader.Size..nameEnd];
        // Length bytes are 0..63 and never in 'A'..'Z', so lowercasing the whole name is safe.
        for (int i = 0; i < name.Length; i++)
        {
            byte b = name[i];
            key[i] = b is >= (byte)'A' and <= (byte)'Z' ? (byte)(b | 0x20) : b;
        }
        bytes[nameEnd..questionEnd].CopyTo(key[name.Length..]);
        var header = query.Header;
        int flags = (query.HasEdns ? 1 : 0) | (header.CheckingDisabled ? 4 : 0) | (header.RecursionDesired ? 8 : 0);
        if (query.TryGetEdns(out var edns) && edns.DnssecOk)
            flags |= 2;
        key[name.Length + 4] = (byte)flags;
        length = name.Length + 5;
        return true;
    }

    /// <summary>The key's hash, seeded per process (HashCode), so clients cannot aim collisions.</summary>
    public static int Hash(ReadOnlySpan<byte> key)
    {
        var hash = new HashCode();
        hash.AddBytes(key);
        return hash.ToHashCode();
    }
}
