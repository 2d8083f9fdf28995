namespace Steer.Dns;

/// <summary>EDNS0 as carried by the OPT pseudo-record (RFC 6891). Options are kept opaque.</summary>
public sealed record DnsEdns
{
    private const ushort DoBit = 0x8000;

    /// <summary>Largest UDP payload the sender can take. 1232 is the DNS Flag Day 2020 value that avoids fragmentation.</summary>
    public ushort UdpPayloadSize { get; init; } = 1232;

    /// <summary>The high 8 bits of the 12-bit response code.</summary>
    public byte ExtendedRcode { get; init; }

    public byte Version { get; init; }

    /// <summary>The flag bits of the OPT TTL field: DO and the reserved Z bits, kept as received.</summary>
    public ushort Flags { get; init; }

    /// <summary>The DO bit (RFC 3225): DNSSEC records wanted.</summary>
    public bool DnssecOk { get => (Flags & DoBit) != 0; init => Flags = (ushort)(value ? Flags | DoBit : Flags & ~DoBit); }

    public IReadOnlyList<DnsEdnsOption> Options { get; init; } = [];

    /// <summary>Bytes of OPT RDATA the options take.</summary>
    public int OptionsLength => Options.Sum(o => 4 + o.Data.Length);

    public bool Equals(DnsEdns? other) =>
        other is not null && UdpPayloadSize == other.UdpPayloadSize && ExtendedRcode == other.ExtendedRcode &&
        Version == other.Version && Flags == other.Flags && Options.SequenceEqual(other.Options);

    public override int GetHashCode() => HashCode.Combine(UdpPayloadSize, ExtendedRcode, Version, Flags, Options.Count);
}

/// <summary>One EDNS option (code, opaque data).</summary>
public sealed record DnsEdnsOption
{
    private readonly byte[] _data;

    public DnsEdnsOption(ushort code, ReadOnlySpan<byte> data)
    {
        if (data.Length > ushort.MaxValue)
            throw new ArgumentException("an option holds at most 65535 bytes", nameof(data));
        Code = code;
        _data = data.ToArray();
    }

    public ushort Code { get; }

    public ReadOnlySpan<byte> Data => _data;

    public bool Equals(DnsEdnsOption? other) => other is not null && Code == other.Code && _data.AsSpan().SequenceEqual(other._data);

    public override int GetHashCode() => HashCode.Combine(Code, _data.Length);
}
