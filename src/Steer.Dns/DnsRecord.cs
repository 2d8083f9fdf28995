namespace Steer.Dns;

/// <summary>
/// A resource record in the object model. Its data never refers back into the message it came from
/// (names are decompressed on parse), so it can be written into any other message.
/// </summary>
/// <param name="Ttl">Seconds; RFC 2181 §8 caps it at 2^31-1 (a parsed value with the top bit set reads as 0).</param>
public sealed record DnsRecord(DnsName Name, DnsType Type, DnsClass Class, uint Ttl, DnsRecordData Data)
{
    public static DnsRecord Address(DnsName name, uint ttl, DnsAddress address) =>
        new(name, address.RecordType, DnsClass.IN, ttl, new DnsAddressData(address));

    public static DnsRecord Cname(DnsName name, uint ttl, DnsName target) =>
        new(name, DnsType.CNAME, DnsClass.IN, ttl, new DnsNameData(target));

    public override string ToString() => $"{Name} {Ttl} {Class} {Type} {Data}";
}
