using System.Buffers.Binary;

namespace Steer.Dns;

/// <summary>The OPT pseudo-record of a validated message (RFC 6891 §6.1), read in place.</summary>
public readonly ref struct DnsEdnsView
{
    private readonly DnsRecordView _record;

    internal DnsEdnsView(DnsRecordView record) => _record = record;

    /// <summary>The largest UDP payload the sender can reassemble (the OPT class field), as sent.
    /// Values under 512 are to be treated as 512 (RFC 6891 §6.2.3); see <see cref="EffectiveUdpPayloadSize"/>.</summary>
    public ushort UdpPayloadSize => (ushort)_record.Class;

    public int EffectiveUdpPayloadSize => Math.Max((int)UdpPayloadSize, DnsLimits.MinUdpPayloadSize);

    /// <summary>The high 8 bits of the 12-bit response code.</summary>
    public byte ExtendedRcode => (byte)(_record.RawTtl >> 24);

    public byte Version => (byte)(_record.RawTtl >> 16);

    /// <summary>The DO bit: the sender wants DNSSEC records (RFC 3225).</summary>
    public bool DnssecOk => (_record.RawTtl & 0x8000) != 0;

    /// <summary>The 16 flag bits of the TTL field (DO and the reserved Z bits), as sent.</summary>
    public ushort Flags => (ushort)_record.RawTtl;

    /// <summary>Offset of the OPT record in the message.</summary>
    public int Offset => _record.Offset;

    /// <summary>Bytes of the whole OPT record.</summary>
    public int Length => _record.Length;

    /// <summary>The options, opaque: a sequence of (code, length, data), framing already checked.</summary>
    public ReadOnlySpan<byte> Options => _record.RData;

    public DnsEdns ToEdns()
    {
        var options = new List<DnsEdnsOption>();
        var bytes = Options;
        while (!bytes.IsEmpty)
        {
            var code = BinaryPrimitives.ReadUInt16BigEndian(bytes);
            var length = BinaryPrimitives.ReadUInt16BigEndian(bytes[2..]);
            options.Add(new DnsEdnsOption(code, bytes.Slice(4, length).ToArray()));
            bytes = bytes[(4 + length)..];
        }
        return new DnsEdns
        {
            UdpPayloadSize = UdpPayloadSize,
            ExtendedRcode = ExtendedRcode,
            Version = Version,
            Flags = Flags,
            Options = options,
        };
    }
}
