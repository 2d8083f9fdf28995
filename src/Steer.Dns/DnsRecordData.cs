namespace Steer.Dns;

/// <summary>The RDATA of a record. Typed for the types Steer reads; <see cref="DnsOpaqueData"/> for the rest.</summary>
public abstract record DnsRecordData;

/// <summary>A (IPv4) or AAAA (IPv6) of class IN.</summary>
public sealed record DnsAddressData(DnsAddress Address) : DnsRecordData
{
    public override string ToString() => Address.ToString();
}

/// <summary>RDATA that is one name: CNAME, DNAME, NS, PTR.</summary>
public sealed record DnsNameData(DnsName Target) : DnsRecordData
{
    public override string ToString() => Target.ToString();
}

public sealed record DnsMxData(ushort Preference, DnsName Exchange) : DnsRecordData
{
    public override string ToString() => $"{Preference} {Exchange}";
}

public sealed record DnsSoaData(
    DnsName PrimaryServer, DnsName ResponsibleMailbox, uint Serial, uint Refresh, uint Retry, uint Expire, uint Minimum)
    : DnsRecordData
{
    public override string ToString() => $"{PrimaryServer} {ResponsibleMailbox} {Serial} {Refresh} {Retry} {Expire} {Minimum}";
}

public sealed record DnsSrvData(ushort Priority, ushort Weight, ushort Port, DnsName Target) : DnsRecordData
{
    public override string ToString() => $"{Priority} {Weight} {Port} {Target}";
}

/// <summary>
/// RDATA kept as bytes. Always self-contained: for the older types whose names a sender may have
/// compressed (MINFO, RP, AFSDB, RT, PX, NAPTR, MB, MD, MF, MG, MR) the names were expanded on parse.
/// </summary>
public sealed record DnsOpaqueData : DnsRecordData
{
    private readonly byte[] _bytes;

    public DnsOpaqueData(ReadOnlySpan<byte> bytes)
    {
        if (bytes.Length > ushort.MaxValue)
            throw new ArgumentException("RDATA is at most 65535 bytes", nameof(bytes));
        _bytes = bytes.ToArray();
    }

    public ReadOnlySpan<byte> Bytes => _bytes;

    public bool Equals(DnsOpaqueData? other) => other is not null && _bytes.AsSpan().SequenceEqual(other._bytes);

    public override int GetHashCode()
    {
        var hash = new HashCode();
        hash.AddBytes(_bytes);
        return hash.ToHashCode();
    }

    public override string ToString() => $"\\# {_bytes.Length} {Convert.ToHexString(_bytes)}";
}
