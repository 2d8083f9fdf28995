using System.Buffers.Binary;

namespace Steer.Dns;

/// <summary>
/// Writes a message into a caller's buffer, with name compression, without allocating.
/// Sections are written in order; the header counts follow what was written.
/// </summary>
/// <remarks>
/// Every TryWrite either writes a whole entry or, when the buffer is too small, leaves the writer
/// exactly as it was and returns false — so a caller can fill a UDP-sized buffer until the next
/// record does not fit and then set TC. Misuse (sections out of order, RDATA that does not match
/// its type) is a programming error and throws.
/// </remarks>
public ref struct DnsMessageWriter
{
    private readonly Span<byte> _buffer;
    private CompressionTable _names;
    private DnsSection _section;
    private int _length;

    /// <exception cref="ArgumentException">The buffer cannot even hold a header.</exception>
    public DnsMessageWriter(Span<byte> buffer, DnsHeader header)
    {
        if (buffer.Length < DnsHeader.Size)
            throw new ArgumentException("a buffer for a DNS message needs at least 12 bytes", nameof(buffer));
        _buffer = buffer;
        BinaryPrimitives.WriteUInt16BigEndian(buffer, header.Id);
        BinaryPrimitives.WriteUInt16BigEndian(buffer[2..], header.Flags);
        buffer[4..DnsHeader.Size].Clear();
        _length = DnsHeader.Size;
        _section = DnsSection.Question;
    }

    /// <summary>Bytes written so far: a complete, valid message at every point between calls.</summary>
    public readonly int Length => _length;

    public readonly ReadOnlySpan<byte> Written => _buffer[.._length];

    /// <summary>Sets the header's TC bit (for an answer cut to fit a UDP client).</summary>
    public readonly void SetTruncated(bool truncated)
    {
        var flags = BinaryPrimitives.ReadUInt16BigEndian(_buffer[2..]);
        BinaryPrimitives.WriteUInt16BigEndian(_buffer[2..], (ushort)(truncated ? flags | 0x0200 : flags & ~0x0200));
    }

    public bool TryWriteQuestion(DnsQuestion question)
    {
        ArgumentNullException.ThrowIfNull(question);
        return TryWriteQuestion(question.Name, question.Type, question.Class);
    }

    public bool TryWriteQuestion(DnsName name, DnsType type, DnsClass @class = DnsClass.IN)
    {
        var mark = Mark();
        EnterSection(DnsSection.Question);
        if (TryWriteName(name, compress: true) && TryWriteUInt16((ushort)type) && TryWriteUInt16((ushort)@class) && TryCount(DnsSection.Question))
            return true;
        Reset(mark);
        return false;
    }

    /// <summary>
    /// Copies the question section of another message byte for byte, as the first thing after the header:
    /// the offsets are the same in both messages, so any compression inside it stays valid. This is how
    /// a response echoes the question without decoding it.
    /// </summary>
    public bool TryCopyQuestions(DnsMessageView source)
    {
        if (_length != DnsHeader.Size)
            throw new InvalidOperationException("questions can only be copied right after the header");
        var questions = source.Bytes[DnsHeader.Size..source.QuestionSectionEnd];
        if (!TryWriteBytes(questions))
            return false;
        BinaryPrimitives.WriteUInt16BigEndian(_buffer[4..], (ushort)source.QuestionCount);
        foreach (var question in source.Questions)
            RememberInlineLabels(question.Name.Offset);
        return true;
    }

    /// <summary>Makes the labels of a name already in the buffer available to later names as pointer targets.</summary>
    private void RememberInlineLabels(int offset)
    {
        var remaining = WireName.UncompressedLength(_buffer, offset);
        while (_buffer[offset] != 0 && (_buffer[offset] & 0xC0) == 0)
        {
            _names.Add(offset, remaining);
            remaining -= _buffer[offset] + 1;
            offset += _buffer[offset] + 1;
        }
    }

    /// <summary>Writes a record whose RDATA is given as bytes, copied unchanged.</summary>
    /// <param name="rdata">Must be self-contained: compression pointers would point into another message.</param>
    public bool TryWriteRecord(DnsSection section, DnsName name, DnsType type, DnsClass @class, uint ttl, scoped ReadOnlySpan<byte> rdata)
    {
        CheckRawRData(type, rdata);
        var mark = BeginRecord(section, name, type, (ushort)@class, ttl, out var ok);
        ok = ok && TryWriteBytes(rdata);
        return EndRecord(section, mark, ok);
    }

    public bool TryWriteAddress(DnsSection section, DnsName name, uint ttl, DnsAddress address)
    {
        Span<byte> bytes = stackalloc byte[16];
        return TryWriteRecord(section, name, address.RecordType, DnsClass.IN, ttl, bytes[..address.WriteTo(bytes)]);
    }

    /// <exception cref="ArgumentException">The data does not belong to the record's type.</exception>
    public bool TryWriteRecord(DnsSection section, DnsRecord record)
    {
        ArgumentNullException.ThrowIfNull(record);
        CheckDataMatchesType(record);
        var compress = RDataLayout.MayCompress(record.Type);
        var mark = BeginRecord(section, record.Name, record.Type, (ushort)record.Class, record.Ttl, out var ok);
        ok = ok && record.Data switch
        {
            DnsAddressData a => TryWriteAddressBytes(a.Address),
            DnsNameData n => TryWriteName(n.Target, compress),
            DnsMxData mx => TryWriteUInt16(mx.Preference) && TryWriteName(mx.Exchange, compress),
            DnsSoaData soa => TryWriteName(soa.PrimaryServer, compress) && TryWriteName(soa.ResponsibleMailbox, compress) &&
                              TryWriteUInt32(soa.Serial) && TryWriteUInt32(soa.Refresh) && TryWriteUInt32(soa.Retry) &&
                              TryWriteUInt32(soa.Expire) && TryWriteUInt32(soa.Minimum),
            DnsSrvData srv => TryWriteUInt16(srv.Priority) && TryWriteUInt16(srv.Weight) && TryWriteUInt16(srv.Port) &&
                              TryWriteName(srv.Target, compress: false),
            DnsOpaqueData opaque => TryWriteBytes(opaque.Bytes),
            _ => throw new ArgumentException($"unknown record data {record.Data.GetType().Name}", nameof(record)),
        };
        return EndRecord(section, mark, ok);
    }

    /// <summary>Writes the OPT pseudo-record into the additional section.</summary>
    public bool TryWriteOpt(DnsEdns edns)
    {
        ArgumentNullException.ThrowIfNull(edns);
        var mark = BeginOpt(edns.UdpPayloadSize, edns.ExtendedRcode, edns.Version, edns.Flags, out var ok);
        foreach (var option in edns.Options)
            ok = ok && TryWriteUInt16(option.Code) && TryWriteUInt16((ushort)option.Data.Length) && TryWriteBytes(option.Data);
        return EndRecord(DnsSection.Additional, mark, ok);
    }

    /// <summary>Writes an OPT record without options, without needing a <see cref="DnsEdns"/> object.</summary>
    /// <param name="options">Options already encoded as (code, length, data) sequences.</param>
    public bool TryWriteOpt(ushort udpPayloadSize, byte extendedRcode, byte version, ushort flags, scoped ReadOnlySpan<byte> options = default)
    {
        var mark = BeginOpt(udpPayloadSize, extendedRcode, version, flags, out var ok);
        return EndRecord(DnsSection.Additional, mark, ok && TryWriteBytes(options));
    }

    private (int Length, int Names, DnsSection Section) BeginOpt(ushort udpPayloadSize, byte extendedRcode, byte version, ushort flags, out bool ok) =>
        BeginRecord(DnsSection.Additional, DnsName.Root, DnsType.OPT, udpPayloadSize,
            ((uint)extendedRcode << 24) | ((uint)version << 16) | flags, out ok);

    private static void CheckDataMatchesType(DnsRecord record)
    {
        var fits = record.Data switch
        {
            DnsAddressData a => record.Type == a.Address.RecordType && record.Class == DnsClass.IN,
            DnsNameData => record.Type is DnsType.CNAME or DnsType.DNAME or DnsType.NS or DnsType.PTR,
            DnsMxData => record.Type == DnsType.MX,
            DnsSoaData => record.Type == DnsType.SOA,
            DnsSrvData => record.Type == DnsType.SRV,
            DnsOpaqueData opaque => CheckRawRData(record.Type, opaque.Bytes),
            _ => false,
        };
        if (!fits)
            throw new ArgumentException($"{record.Data.GetType().Name} cannot be the data of a {record.Class} {record.Type} record", nameof(record));
    }

    /// <summary>Raw RDATA must be what a parser accepts for its type, with no pointers into some other message.</summary>
    private static bool CheckRawRData(DnsType type, scoped ReadOnlySpan<byte> rdata)
    {
        var problem = type switch
        {
            DnsType.OPT => "write OPT with TryWriteOpt",
            DnsType.A when rdata.Length != 4 => "A RDATA is 4 bytes",
            DnsType.AAAA when rdata.Length != 16 => "AAAA RDATA is 16 bytes",
            _ when RDataLayout.For(type) is { } layout && !RDataLayout.IsSelfContained(rdata, layout) =>
                $"{type} RDATA must be well-formed with uncompressed names",
            _ => null,
        };
        return problem is null ? true : throw new ArgumentException(problem, nameof(rdata));
    }

    private (int Length, int Names, DnsSection Section) BeginRecord(DnsSection section, DnsName name, DnsType type, ushort @class, uint ttl, out bool ok)
    {
        if (section == DnsSection.Question)
            throw new ArgumentException("questions are written with TryWriteQuestion", nameof(section));
        var mark = Mark();
        EnterSection(section);
        ok = TryWriteName(name, compress: true) && TryWriteUInt16((ushort)type) && TryWriteUInt16(@class) &&
             TryWriteUInt32(ttl) && TryWriteUInt16(0); // RDLENGTH, filled in by EndRecord
        return mark;
    }

    private bool EndRecord(DnsSection section, (int Length, int Names, DnsSection Section) mark, bool ok)
    {
        if (ok)
        {
            var rdStart = RDataStart(mark.Length);
            var rdLength = _length - rdStart;
            if (rdLength <= ushort.MaxValue && TryCount(section))
            {
                BinaryPrimitives.WriteUInt16BigEndian(_buffer[(rdStart - 2)..], (ushort)rdLength);
                return true;
            }
        }
        Reset(mark);
        return false;
    }

    private readonly int RDataStart(int recordStart) => WireName.SkipValidated(_buffer, recordStart) + 10;

    private void EnterSection(DnsSection section)
    {
        if (section < _section)
            throw new InvalidOperationException($"cannot write to the {section} section after the {_section} section");
        _section = section;
    }

    private bool TryCount(DnsSection section)
    {
        var at = _buffer[(4 + 2 * (int)section)..];
        var count = BinaryPrimitives.ReadUInt16BigEndian(at);
        if (count == ushort.MaxValue)
            return false;
        BinaryPrimitives.WriteUInt16BigEndian(at, (ushort)(count + 1));
        return true;
    }

    private readonly (int Length, int Names, DnsSection Section) Mark() => (_length, _names.Count, _section);

    private void Reset((int Length, int Names, DnsSection Section) mark)
    {
        _length = mark.Length;
        _names.Truncate(mark.Names);
        _section = mark.Section;
    }

    /// <summary>Writes a name, pointing at the longest suffix already written when compression is allowed.</summary>
    private bool TryWriteName(DnsName name, bool compress)
    {
        var wire = name.WireBytes;
        var position = 0;
        while (wire[position] != 0)
        {
            var suffix = wire[position..];
            var earlier = compress ? _names.Find(_buffer[.._length], suffix) : -1;
            if (earlier >= 0)
                return TryWriteUInt16((ushort)(0xC000 | earlier));
            var labelLength = wire[position] + 1;
            if (_length + labelLength > _buffer.Length)
                return false;
            _names.Add(_length, suffix.Length);
            wire.Slice(position, labelLength).CopyTo(_buffer[_length..]);
            _length += labelLength;
            position += labelLength;
        }
        return TryWriteBytes([0]);
    }

    private bool TryWriteAddressBytes(DnsAddress address)
    {
        if (_length + address.Length > _buffer.Length)
            return false;
        _length += address.WriteTo(_buffer[_length..]);
        return true;
    }

    private bool TryWriteUInt16(ushort value)
    {
        if (_length + 2 > _buffer.Length)
            return false;
        BinaryPrimitives.WriteUInt16BigEndian(_buffer[_length..], value);
        _length += 2;
        return true;
    }

    private bool TryWriteUInt32(uint value)
    {
        if (_length + 4 > _buffer.Length)
            return false;
        BinaryPrimitives.WriteUInt32BigEndian(_buffer[_length..], value);
        _length += 4;
        return true;
    }

    private bool TryWriteBytes(scoped ReadOnlySpan<byte> bytes)
    {
        if (_length + bytes.Length > _buffer.Length)
            return false;
        bytes.CopyTo(_buffer[_length..]);
        _length += bytes.Length;
        return true;
    }
}
