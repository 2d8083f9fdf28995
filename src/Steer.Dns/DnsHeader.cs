using System.Buffers.Binary;

namespace Steer.Dns;

/// <summary>
/// The identifying part of a message header (RFC 1035 §4.1.1): the ID and the 16-bit flags word.
/// The four section counts are not here: a parsed message reports them, and a writer counts
/// what it writes, so they can never disagree with the sections.
/// </summary>
/// <remarks><see cref="Rcode"/> is the header's 4-bit part only; a message's full (extended) code
/// is on <see cref="DnsMessageView.Rcode"/> and <see cref="DnsMessage.Rcode"/>. The reserved Z bit
/// is kept in <see cref="Flags"/> as received.</remarks>
public readonly record struct DnsHeader
{
    public const int Size = 12;

    private const ushort QrBit = 0x8000;
    private const ushort AaBit = 0x0400;
    private const ushort TcBit = 0x0200;
    private const ushort RdBit = 0x0100;
    private const ushort RaBit = 0x0080;
    private const ushort AdBit = 0x0020;
    private const ushort CdBit = 0x0010;

    public DnsHeader(ushort id, ushort flags)
    {
        Id = id;
        Flags = flags;
    }

    public ushort Id { get; init; }

    /// <summary>The whole flags word as on the wire: QR, opcode, AA, TC, RD, RA, Z, AD, CD, rcode.</summary>
    public ushort Flags { get; init; }

    public bool IsResponse { get => Has(QrBit); init => Flags = With(QrBit, value); }

    public DnsOpcode Opcode
    {
        get => (DnsOpcode)((Flags >> 11) & 0xF);
        init
        {
            ArgumentOutOfRangeException.ThrowIfGreaterThan((int)value, 15);
            Flags = (ushort)((Flags & ~0x7800) | ((int)value << 11));
        }
    }

    public bool AuthoritativeAnswer { get => Has(AaBit); init => Flags = With(AaBit, value); }

    public bool Truncated { get => Has(TcBit); init => Flags = With(TcBit, value); }

    public bool RecursionDesired { get => Has(RdBit); init => Flags = With(RdBit, value); }

    public bool RecursionAvailable { get => Has(RaBit); init => Flags = With(RaBit, value); }

    public bool AuthenticData { get => Has(AdBit); init => Flags = With(AdBit, value); }

    public bool CheckingDisabled { get => Has(CdBit); init => Flags = With(CdBit, value); }

    /// <summary>The header's 4-bit response code (0..15); see the type remarks for extended codes.</summary>
    public DnsRcode Rcode
    {
        get => (DnsRcode)(Flags & 0xF);
        init
        {
            ArgumentOutOfRangeException.ThrowIfGreaterThan((int)value, 15);
            Flags = (ushort)((Flags & ~0xF) | (int)value);
        }
    }

    /// <summary>Reads ID and flags from the first four bytes of a message (at least 4 bytes).</summary>
    internal static DnsHeader Read(ReadOnlySpan<byte> message) =>
        new(BinaryPrimitives.ReadUInt16BigEndian(message), BinaryPrimitives.ReadUInt16BigEndian(message[2..]));

    private bool Has(ushort bit) => (Flags & bit) != 0;

    private ushort With(ushort bit, bool value) => (ushort)(value ? Flags | bit : Flags & ~bit);

    public override string ToString() =>
        $"id={Id} {(IsResponse ? "response" : "query")} opcode={Opcode} rcode={Rcode}" +
        $"{(AuthoritativeAnswer ? " aa" : "")}{(Truncated ? " tc" : "")}{(RecursionDesired ? " rd" : "")}" +
        $"{(RecursionAvailable ? " ra" : "")}{(AuthenticData ? " ad" : "")}{(CheckingDisabled ? " cd" : "")}";
}
