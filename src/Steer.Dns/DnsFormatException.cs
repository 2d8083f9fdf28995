namespace Steer.Dns;

/// <summary>The one exception the codec throws for bad input: <see cref="Reason"/> says precisely why.</summary>
public sealed class DnsFormatException : FormatException
{
    public DnsFormatException(DnsFormatError reason, int offset)
        : base(Describe(reason, offset))
    {
        Reason = reason;
        Offset = offset;
    }

    public DnsFormatError Reason { get; }

    /// <summary>Offset into the message of the byte where the problem was seen.</summary>
    public int Offset { get; }

    internal static string Describe(DnsFormatError reason, int offset) => $"DNS message: {Text(reason)} at offset {offset}";

    private static string Text(DnsFormatError reason) => reason switch
    {
        DnsFormatError.None => "no error",
        DnsFormatError.HeaderTooShort => "shorter than the 12-byte header",
        DnsFormatError.MessageTooLong => "longer than 65535 bytes",
        DnsFormatError.CountExceedsData => "message ends before all counted entries",
        DnsFormatError.TrailingBytes => "bytes after the last counted entry",
        DnsFormatError.NameTruncated => "name runs past the end of the message",
        DnsFormatError.NameExceedsRData => "name runs past the end of its RDATA",
        DnsFormatError.InvalidLabelType => "label length byte is neither 0..63 nor a pointer",
        DnsFormatError.NameTooLong => "name longer than 255 bytes",
        DnsFormatError.PointerToSelf => "compression pointer to itself",
        DnsFormatError.PointerForward => "compression pointer to a later offset",
        DnsFormatError.PointerLoop => "compression pointer back into its own name (loop)",
        DnsFormatError.PointerIntoHeader => "compression pointer into the header",
        DnsFormatError.TooManyPointers => $"more than {DnsLimits.MaxPointerHops} compression pointers in one name",
        DnsFormatError.RecordTruncated => "record or question runs past the end of the message",
        DnsFormatError.BadRDataLength => "RDATA length does not fit its type",
        DnsFormatError.OptNotInAdditional => "OPT record outside the additional section",
        DnsFormatError.MultipleOpt => "more than one OPT record",
        DnsFormatError.OptNameNotRoot => "OPT record owner is not the root",
        DnsFormatError.OptOptionTruncated => "EDNS option runs past the OPT RDATA",
        _ => reason.ToString(),
    };
}
