using System.Text;
using FsCheck;
using FsCheck.Fluent;

namespace Steer.Dns.Tests;

/// <summary>
/// Generators biased so that compression has something to find: labels come from a small pool
/// (with case variants and bytes that need escaping), so names in one message share suffixes.
/// </summary>
internal static class Generators
{
    public static readonly Config Config = FsCheck.Config.QuickThrowOnFailure.WithMaxTest(1000);

    private static readonly Gen<byte[]> PoolLabel = Gen.Elements(
        "www", "example", "Example", "com", "a", "b", "mail", "xn--bcher-kva", "x.y", "back\\slash", "sp ace")
        .Select(s => Encoding.ASCII.GetBytes(s));

    private static readonly Gen<byte[]> RandomLabel =
        Gen.Choose(1, 63).SelectMany(n => Gen.Choose(0, 255).Select(i => (byte)i).ArrayOf(n));

    public static readonly Gen<byte[]> Label = Gen.Frequency((6, PoolLabel), (1, RandomLabel));

    public static readonly Gen<DnsName> Name =
        Gen.Choose(0, 5).SelectMany(n => Label.ArrayOf(n))
            .Where(labels => labels.Sum(l => l.Length + 1) + 1 <= 255)
            .Select(FromLabels);

    /// <summary>Every byte escaped as \DDD, so building a name from arbitrary labels also exercises parsing.</summary>
    public static DnsName FromLabels(byte[][] labels) =>
        DnsName.Parse(string.Join(".", labels.Select(l => string.Concat(l.Select(b => $"\\{b:D3}")))));

    private static readonly Gen<uint> Ttl = Gen.Frequency(
        (3, Gen.Elements(0u, 1u, 60u, 300u, 86400u, DnsTtl.Max)),
        (1, Gen.Choose(0, int.MaxValue).Select(i => (uint)i)));

    private static readonly Gen<ushort> UShort = Gen.Choose(0, ushort.MaxValue).Select(i => (ushort)i);

    private static Gen<byte[]> Bytes(int max) => Gen.Choose(0, max).SelectMany(n => Gen.Choose(0, 255).Select(i => (byte)i).ArrayOf(n));

    public static readonly Gen<DnsAddress> Address = Gen.OneOf(
        Gen.Choose(0, 255).Select(i => (byte)i).ArrayOf(4).Select(b => DnsAddress.FromBytes(b)),
        Gen.Choose(0, 255).Select(i => (byte)i).ArrayOf(16).Select(b => DnsAddress.FromBytes(b)));

    private static readonly Gen<(DnsType Type, DnsRecordData Data)> TypedData = Gen.OneOf(
        Address.Select(a => (a.RecordType, (DnsRecordData)new DnsAddressData(a))),
        from type in Gen.Elements(DnsType.CNAME, DnsType.NS, DnsType.PTR, DnsType.DNAME)
        from target in Name
        select (type, (DnsRecordData)new DnsNameData(target)),
        from preference in UShort
        from exchange in Name
        select (DnsType.MX, (DnsRecordData)new DnsMxData(preference, exchange)),
        from names in Name.ArrayOf(2)
        from numbers in Gen.Choose(int.MinValue, int.MaxValue).Select(i => (uint)i).ArrayOf(5)
        select (DnsType.SOA, (DnsRecordData)new DnsSoaData(names[0], names[1], numbers[0], numbers[1], numbers[2], numbers[3], numbers[4])),
        from numbers in UShort.ArrayOf(3)
        from target in Name
        select (DnsType.SRV, (DnsRecordData)new DnsSrvData(numbers[0], numbers[1], numbers[2], target)),
        // Older types with names kept opaque: their bytes must be names back to back, uncompressed.
        from names in Name.ArrayOf(2)
        select (DnsType.RP, (DnsRecordData)new DnsOpaqueData([.. names[0].WireBytes, .. names[1].WireBytes])),
        from type in Gen.Elements(DnsType.TXT, DnsType.NULL, DnsType.HINFO, (DnsType)99, (DnsType)65280)
        from bytes in Bytes(40)
        select (type, (DnsRecordData)new DnsOpaqueData(bytes)));

    public static readonly Gen<DnsRecord> Record =
        from name in Name
        from typed in TypedData
        from ttl in Ttl
        from cls in typed.Data is DnsAddressData ? Gen.Constant(DnsClass.IN) : Gen.Elements(DnsClass.IN, DnsClass.IN, DnsClass.CH)
        select new DnsRecord(name, typed.Type, cls, ttl, typed.Data);

    public static readonly Gen<DnsQuestion> Question =
        from name in Name
        from type in Gen.Elements(DnsType.A, DnsType.AAAA, DnsType.MX, DnsType.ANY, (DnsType)1234)
        select new DnsQuestion(name, type);

    public static readonly Gen<DnsEdns> Edns =
        from size in UShort
        from extended in Gen.Choose(0, 255)
        from version in Gen.Choose(0, 2)
        from flags in UShort
        from options in (from code in UShort from data in Bytes(12) select new DnsEdnsOption(code, data)).ListOf().Select(l => l.Take(3).ToList())
        select new DnsEdns { UdpPayloadSize = size, ExtendedRcode = (byte)extended, Version = (byte)version, Flags = flags, Options = options };

    public static readonly Gen<DnsMessage> Message =
        from id in UShort
        from flags in UShort
        from questions in Question.ListOf().Select(l => l.Take(2).ToList())
        from answers in Record.ListOf().Select(l => l.Take(6).ToList())
        from authorities in Record.ListOf().Select(l => l.Take(3).ToList())
        from additionals in Record.ListOf().Select(l => l.Take(3).ToList())
        from edns in Gen.Frequency((1, Gen.Constant<DnsEdns?>(null)), (2, Edns.Select(e => (DnsEdns?)e)))
        select new DnsMessage
        {
            Header = new DnsHeader(id, flags),
            Questions = questions,
            Answers = answers,
            Authorities = authorities,
            Additionals = additionals,
            Edns = edns,
        };
}
