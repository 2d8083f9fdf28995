using System.Buffers.Binary;

namespace Steer.Dns;

/// <summary>A resource record where it sits in a validated message. Reading it never allocates.</summary>
public readonly ref struct DnsRecordView
{
    private readonly ReadOnlySpan<byte> _message;

    internal DnsRecordView(ReadOnlySpan<byte> message, DnsSection section, int offset)
    {
        _message = message;
        Section = section;
        Offset = offset;
        var nameEnd = WireName.SkipValidated(message, offset);
        TtlOffset = nameEnd + 4;
        RDataOffset = nameEnd + 10;
        RDataLength = BinaryPrimitives.ReadUInt16BigEndian(message[(nameEnd + 8)..]);
    }

    public DnsSection Section { get; }

    /// <summary>Offset of the record's first byte (its owner name).</summary>
    public int Offset { get; }

    /// <summary>Bytes the record occupies in the message.</summary>
    public int Length => RDataOffset + RDataLength - Offset;

    public DnsWireName Name => new(_message, Offset);

    public DnsType Type => (DnsType)BinaryPrimitives.ReadUInt16BigEndian(_message[(RDataOffset - 10)..]);

    /// <summary>The class field; for OPT it is the UDP payload size (see <see cref="DnsEdnsView"/>).</summary>
    public DnsClass Class => (DnsClass)BinaryPrimitives.ReadUInt16BigEndian(_message[(RDataOffset - 8)..]);

    /// <summary>Offset of the 32-bit TTL field, for rewriting it in place.</summary>
    public int TtlOffset { get; }

    /// <summary>
    /// The TTL in seconds. RFC 2181 §8: a value with the top bit set is read as 0.
    /// Meaningless for OPT, whose TTL field holds EDNS flags.
    /// </summary>
    public uint Ttl => DnsTtl.Sanitise(RawTtl);

    /// <summary>The TTL field exactly as on the wire.</summary>
    public uint RawTtl => BinaryPrimitives.ReadUInt32BigEndian(_message[TtlOffset..]);

    public int RDataOffset { get; }

    public int RDataLength { get; }

    /// <summary>RDATA as on the wire. For types with names in them these may hold compression pointers
    /// into this message: use <see cref="TryGetTarget"/> or <see cref="DnsMessage"/> to read those.</summary>
    public ReadOnlySpan<byte> RData => _message.Slice(RDataOffset, RDataLength);

    /// <summary>The address of an A or AAAA record of class IN; false for anything else.</summary>
    /// <remarks>Class matters: an A record of class CH holds a CHAOSnet address, not an IPv4 one.</remarks>
    public bool TryGetAddress(out DnsAddress address)
    {
        address = default;
        if (Class != DnsClass.IN || Type is not (DnsType.A or DnsType.AAAA))
            return false;
        address = DnsAddress.FromBytes(RData); // length checked by validation
        return true;
    }

    /// <summary>The single name in the RDATA of CNAME, DNAME, NS, PTR (and MB, MD, MF, MG, MR); false for other types.</summary>
    public bool TryGetTarget(out DnsWireName target)
    {
        target = default;
        if (RDataLayout.For(Type) != "N")
            return false;
        target = new DnsWireName(_message, RDataOffset);
        return true;
    }

    public override string ToString() => $"{Name.ToString()} {Ttl} {Class} {Type} ({RDataLength} bytes)";
}
