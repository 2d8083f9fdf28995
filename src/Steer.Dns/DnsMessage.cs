namespace Steer.Dns;

/// <summary>
/// A whole message as objects: for building queries and responses and for inspecting, not for the
/// per-answer hot path (use <see cref="DnsMessageView"/> there). Nothing in it refers back into the
/// bytes it was parsed from, so any part can be written into another message.
/// </summary>
/// <remarks>The OPT record is not in <see cref="Additionals"/>: it is <see cref="Edns"/>, and its
/// extended response code is part of <see cref="Rcode"/>.</remarks>
public sealed partial class DnsMessage : IEquatable<DnsMessage>
{
    /// <summary>ID and flags; the header's rcode holds only the low 4 bits of <see cref="Rcode"/>.</summary>
    public DnsHeader Header { get; init; }

    public IReadOnlyList<DnsQuestion> Questions { get; init; } = [];

    public IReadOnlyList<DnsRecord> Answers { get; init; } = [];

    public IReadOnlyList<DnsRecord> Authorities { get; init; } = [];

    /// <summary>Additional records other than OPT.</summary>
    public IReadOnlyList<DnsRecord> Additionals { get; init; } = [];

    public DnsEdns? Edns { get; init; }

    /// <summary>The full 12-bit response code.</summary>
    public DnsRcode Rcode => (DnsRcode)((int)Header.Rcode | ((Edns?.ExtendedRcode ?? 0) << 4));

    public static bool TryParse(ReadOnlySpan<byte> message, out DnsMessage? result, out DnsParseError error)
    {
        result = DnsMessageView.TryParse(message, out var view, out error) ? FromView(view) : null;
        return result is not null;
    }

    /// <exception cref="DnsFormatException">The message is malformed.</exception>
    public static DnsMessage Parse(ReadOnlySpan<byte> message) => FromView(DnsMessageView.Parse(message));

    /// <summary>Writes the message; false if the buffer is too small.</summary>
    public bool TryWrite(Span<byte> destination, out int written)
    {
        written = 0;
        if (destination.Length < DnsHeader.Size)
            return false;
        var writer = new DnsMessageWriter(destination, Header);
        foreach (var question in Questions)
        {
            if (!writer.TryWriteQuestion(question))
                return false;
        }
        if (!TryWriteSection(ref writer, DnsSection.Answer, Answers) ||
            !TryWriteSection(ref writer, DnsSection.Authority, Authorities) ||
            !TryWriteSection(ref writer, DnsSection.Additional, Additionals) ||
            (Edns is not null && !writer.TryWriteOpt(Edns)))
            return false;
        written = writer.Length;
        return true;
    }

    /// <summary>The message as a new array (at most 65535 bytes).</summary>
    /// <exception cref="InvalidOperationException">It does not fit in 65535 bytes.</exception>
    public byte[] ToArray()
    {
        var buffer = new byte[DnsLimits.MaxMessageLength];
        return TryWrite(buffer, out var written)
            ? buffer[..written]
            : throw new InvalidOperationException("the message does not fit in 65535 bytes");
    }

    private static bool TryWriteSection(ref DnsMessageWriter writer, DnsSection section, IReadOnlyList<DnsRecord> records)
    {
        foreach (var record in records)
        {
            if (!writer.TryWriteRecord(section, record))
                return false;
        }
        return true;
    }

    public bool Equals(DnsMessage? other) =>
        other is not null && Header == other.Header && Questions.SequenceEqual(other.Questions) &&
        Answers.SequenceEqual(other.Answers) && Authorities.SequenceEqual(other.Authorities) &&
        Additionals.SequenceEqual(other.Additionals) && Equals(Edns, other.Edns);

    public override bool Equals(object? obj) => Equals(obj as DnsMessage);

    public override int GetHashCode() => HashCode.Combine(Header, Questions.Count, Answers.Count, Authorities.Count, Additionals.Count);

    public override string ToString()
    {
        var lines = new List<string> { $"{Header} rcode(full)={Rcode}" };
        lines.AddRange(Questions.Select(q => $"  question {q}"));
        lines.AddRange(Answers.Select(r => $"  answer {r}"));
        lines.AddRange(Authorities.Select(r => $"  authority {r}"));
        lines.AddRange(Additionals.Select(r => $"  additional {r}"));
        if (Edns is not null)
            lines.Add($"  edns udp={Edns.UdpPayloadSize} version={Edns.Version} do={Edns.DnssecOk} options={Edns.Options.Count}");
        return string.Join(Environment.NewLine, lines);
    }
}
