namespace Steer.Dns;

/// <summary>Why a message was refused. Each value is one precise reason; see docs/dns-codec.md.</summary>
public enum DnsFormatError
{
    None = 0,

    /// <summary>Fewer than 12 bytes: not even a header.</summary>
    HeaderTooShort,

    /// <summary>More than 65535 bytes, which no DNS transport can carry.</summary>
    MessageTooLong,

    /// <summary>The message ends before all entries its header counts: a count larger than the data.</summary>
    CountExceedsData,

    /// <summary>Bytes left over after every counted entry (refused: see docs/dns-codec.md).</summary>
    TrailingBytes,

    /// <summary>A name runs past the end of the message.</summary>
    NameTruncated,

    /// <summary>A name inside RDATA runs past the end of that RDATA.</summary>
    NameExceedsRData,

    /// <summary>A length byte with top bits 01 or 10: a label over 63 bytes or an obsolete/unknown label type.</summary>
    InvalidLabelType,

    /// <summary>The uncompressed name would exceed 255 bytes.</summary>
    NameTooLong,

    /// <summary>A compression pointer to itself.</summary>
    PointerToSelf,

    /// <summary>A compression pointer to a later offset.</summary>
    PointerForward,

    /// <summary>A compression pointer back into the name being read, which would loop forever.</summary>
    PointerLoop,

    /// <summary>A compression pointer into the 12-byte header.</summary>
    PointerIntoHeader,

    /// <summary>More compression pointers in one name than <see cref="DnsLimits.MaxPointerHops"/>.</summary>
    TooManyPointers,

    /// <summary>A question's type and class, or a record's fixed fields or RDATA, run past the end.</summary>
    RecordTruncated,

    /// <summary>RDATA whose length does not fit its type (A not 4 bytes, AAAA not 16, names not filling it exactly...).</summary>
    BadRDataLength,

    /// <summary>An OPT record outside the additional section.</summary>
    OptNotInAdditional,

    /// <summary>More than one OPT record (RFC 6891 §6.1.1).</summary>
    MultipleOpt,

    /// <summary>An OPT record whose owner is not the root.</summary>
    OptNameNotRoot,

    /// <summary>An EDNS option whose length runs past the OPT RDATA.</summary>
    OptOptionTruncated,
}
