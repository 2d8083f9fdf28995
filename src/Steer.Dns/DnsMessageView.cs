using System.Buffers.Binary;

namespace Steer.Dns;

/// <summary>
/// A message checked once from end to end and then read in place, without copying or allocating.
/// This is the resolver's hot path: look at an upstream answer, take its addresses, forward its bytes.
/// </summary>
/// <remarks>Everything readers rely on is checked by <see cref="TryParse"/>; after that nothing on a
/// view can fail. What is accepted and refused is listed in docs/dns-codec.md.</remarks>
public readonly ref struct DnsMessageView
{
    private readonly MessageLayout _layout;

    private DnsMessageView(ReadOnlySpan<byte> bytes, MessageLayout layout)
    {
        Bytes = bytes;
        _layout = layout;
    }

    /// <summary>Checks the whole message. Never throws; on failure says why and where.</summary>
    public static bool TryParse(ReadOnlySpan<byte> message, out DnsMessageView view, out DnsParseError error)
    {
        error = MessageValidator.Validate(message, out var layout);
        view = error.IsError ? default : new DnsMessageView(message, layout);
        return !error.IsError;
    }

    /// <exception cref="DnsFormatException">The message is malformed; <see cref="DnsFormatException.Reason"/> says how.</exception>
    public static DnsMessageView Parse(ReadOnlySpan<byte> message) =>
        TryParse(message, out var view, out var error) ? view : throw error.ToException();

    /// <summary>The message's bytes, exactly as given.</summary>
    public ReadOnlySpan<byte> Bytes { get; }

    public DnsHeader Header => DnsHeader.Read(Bytes);

    public ushort Id => BinaryPrimitives.ReadUInt16BigEndian(Bytes);

    public int QuestionCount => MessageValidator.ReadCount(Bytes, DnsSection.Question);

    public int AnswerCount => MessageValidator.ReadCount(Bytes, DnsSection.Answer);

    public int AuthorityCount => MessageValidator.ReadCount(Bytes, DnsSection.Authority);

    /// <summary>Records in the additional section, the OPT record included.</summary>
    public int AdditionalCount => MessageValidator.ReadCount(Bytes, DnsSection.Additional);

    /// <summary>The full 12-bit response code: the header's 4 bits plus the OPT record's 8, if any.</summary>
    public DnsRcode Rcode => (DnsRcode)((int)Header.Rcode | (TryGetEdns(out var edns) ? edns.ExtendedRcode << 4 : 0));

    public bool HasEdns => _layout.OptOffset >= 0;

    public bool TryGetEdns(out DnsEdnsView edns)
    {
        edns = HasEdns ? new DnsEdnsView(new DnsRecordView(Bytes, DnsSection.Additional, _layout.OptOffset)) : default;
        return HasEdns;
    }

    /// <summary>Offset just past the question section: where the answer section starts.</summary>
    public int QuestionSectionEnd => _layout.AnswerStart;

    public DnsQuestionEnumerator Questions => new(Bytes, QuestionCount);

    /// <summary>The first question; false if the message has none.</summary>
    public bool TryGetQuestion(out DnsQuestionView question)
    {
        var questions = Questions;
        question = questions.MoveNext() ? questions.Current : default;
        return QuestionCount > 0;
    }

    public DnsRecordEnumerator Answers => Section(DnsSection.Answer);

    public DnsRecordEnumerator Authorities => Section(DnsSection.Authority);

    /// <summary>The additional section, the OPT record included (its <see cref="DnsRecordView.Type"/> is OPT).</summary>
    public DnsRecordEnumerator Additionals => Section(DnsSection.Additional);

    /// <summary>Every record of the answer, authority and additional sections, in wire order.</summary>
    public DnsRecordEnumerator Records => new(Bytes, _layout.AnswerStart, DnsSection.Answer, DnsSection.Additional);

    public DnsRecordEnumerator Section(DnsSection section) => section switch
    {
        DnsSection.Answer => new(Bytes, _layout.AnswerStart, section, section),
        DnsSection.Authority => new(Bytes, _layout.AuthorityStart, section, section),
        DnsSection.Additional => new(Bytes, _layout.AdditionalStart, section, section),
        _ => throw new ArgumentOutOfRangeException(nameof(section), "questions are not records: use Questions"),
    };

    /// <summary>Offset where the section's first record starts.</summary>
    public int SectionStart(DnsSection section) => section switch
    {
        DnsSection.Question => DnsHeader.Size,
        DnsSection.Answer => _layout.AnswerStart,
        DnsSection.Authority => _layout.AuthorityStart,
        DnsSection.Additional => _layout.AdditionalStart,
        _ => throw new ArgumentOutOfRangeException(nameof(section)),
    };

    /// <summary>
    /// True if this message is an answer to <paramref name="query"/>: QR set, same ID and opcode, and the
    /// same questions (names compared case-insensitively, so DNS 0x20 case randomisation passes). An upstream
    /// reply failing this is a spoofing attempt or a confused server and must not be used (RFC 5452 §9.1).
    /// </summary>
    /// <remarks>Some servers send FORMERR or NOTIMP without the question; such a reply does not match.</remarks>
    public bool IsResponseTo(DnsMessageView query)
    {
        if (!Header.IsResponse || Id != query.Id || Header.Opcode != query.Header.Opcode || QuestionCount != query.QuestionCount)
            return false;
        var mine = Questions;
        var theirs = query.Questions;
        while (mine.MoveNext() && theirs.MoveNext())
        {
            var a = mine.Current;
            var b = theirs.Current;
            if (a.Type != b.Type || a.Class != b.Class || !a.Name.Matches(b.Name))
                return false;
        }
        return true;
    }

    /// <summary>Copies the message into the object model (allocates; for building and inspecting, not the hot path).</summary>
    public DnsMessage ToMessage() => DnsMessage.FromView(this);
}
