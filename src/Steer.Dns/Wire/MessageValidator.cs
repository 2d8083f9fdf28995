using System.Buffers.Binary;

namespace Steer.Dns;

/// <summary>Where the sections of a validated message start, and its OPT record if any.</summary>
internal readonly record struct MessageLayout(int AnswerStart, int AuthorityStart, int AdditionalStart, int OptOffset);

/// <summary>
/// Walks a whole message once and checks everything a later reader relies on, so that the views and
/// enumerators built on a validated message need no checks and cannot fail.
/// </summary>
internal static class MessageValidator
{
    public static DnsParseError Validate(ReadOnlySpan<byte> message, out MessageLayout layout)
    {
        layout = default;
        if (message.Length < DnsHeader.Size)
            return Error(DnsFormatError.HeaderTooShort, message.Length);
        if (message.Length > DnsLimits.MaxMessageLength)
            return Error(DnsFormatError.MessageTooLong, DnsLimits.MaxMessageLength);

        var position = DnsHeader.Size;
        var questions = ReadCount(message, DnsSection.Question);
        for (var i = 0; i < questions; i++)
        {
            if (position >= message.Length)
                return Error(DnsFormatError.CountExceedsData, position);
            var error = WireName.Validate(message, position, message.Length, out var nameEnd, out _);
            if (error.IsError)
                return error;
            if (nameEnd + 4 > message.Length)
                return Error(DnsFormatError.RecordTruncated, nameEnd);
            position = nameEnd + 4;
        }

        Span<int> starts = stackalloc int[3];
        var optOffset = -1;
        for (var section = DnsSection.Answer; section <= DnsSection.Additional; section++)
        {
            starts[(int)section - 1] = position;
            var count = ReadCount(message, section);
            for (var i = 0; i < count; i++)
            {
                var error = ValidateRecord(message, section, ref position, ref optOffset);
                if (error.IsError)
                    return error;
            }
        }
        if (position != message.Length)
            return Error(DnsFormatError.TrailingBytes, position);
        layout = new MessageLayout(starts[0], starts[1], starts[2], optOffset);
        return default;
    }

    internal static int ReadCount(ReadOnlySpan<byte> message, DnsSection section) =>
        BinaryPrimitives.ReadUInt16BigEndian(message[(4 + 2 * (int)section)..]);

    private static DnsParseError ValidateRecord(ReadOnlySpan<byte> message, DnsSection section, ref int position, ref int optOffset)
    {
        var start = position;
        if (start >= message.Length)
            return Error(DnsFormatError.CountExceedsData, start);
        var error = WireName.Validate(message, start, message.Length, out var nameEnd, out var nameLength);
        if (error.IsError)
            return error;
        if (nameEnd + 10 > message.Length)
            return Error(DnsFormatError.RecordTruncated, nameEnd);
        var type = (DnsType)BinaryPrimitives.ReadUInt16BigEndian(message[nameEnd..]);
        var rdLength = BinaryPrimitives.ReadUInt16BigEndian(message[(nameEnd + 8)..]);
        var rdStart = nameEnd + 10;
        var rdEnd = rdStart + rdLength;
        if (rdEnd > message.Length)
            return Error(DnsFormatError.RecordTruncated, nameEnd + 8);

        error = type switch
        {
            DnsType.A => rdLength == 4 ? default : Error(DnsFormatError.BadRDataLength, nameEnd + 8),
            DnsType.AAAA => rdLength == 16 ? default : Error(DnsFormatError.BadRDataLength, nameEnd + 8),
            DnsType.OPT => ValidateOpt(message, section, start, nameLength, rdStart, rdEnd, optOffset),
            _ => RDataLayout.For(type) is { } layout ? RDataLayout.Validate(message, rdStart, rdEnd, layout, out _) : default,
        };
        if (error.IsError)
            return error;
        if (type == DnsType.OPT)
            optOffset = start;
        position = rdEnd;
        return default;
    }

    private static DnsParseError ValidateOpt(
        ReadOnlySpan<byte> message, DnsSection section, int start, int nameLength, int rdStart, int rdEnd, int optOffset)
    {
        if (section != DnsSection.Additional)
            return Error(DnsFormatError.OptNotInAdditional, start);
        if (optOffset >= 0)
            return Error(DnsFormatError.MultipleOpt, start);
        if (nameLength != 1)
            return Error(DnsFormatError.OptNameNotRoot, start);
        // Options stay opaque, but their framing is checked so that listing them cannot fail.
        var position = rdStart;
        while (position < rdEnd)
        {
            if (position + 4 > rdEnd)
                return Error(DnsFormatError.OptOptionTruncated, position);
            var length = BinaryPrimitives.ReadUInt16BigEndian(message[(position + 2)..]);
            if (position + 4 + length > rdEnd)
                return Error(DnsFormatError.OptOptionTruncated, position);
            position += 4 + length;
        }
        return default;
    }

    private static DnsParseError Error(DnsFormatError reason, int offset) => new(reason, offset);
}
