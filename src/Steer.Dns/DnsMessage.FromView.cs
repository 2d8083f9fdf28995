using System.Buffers.Binary;

namespace Steer.Dns;

public sealed partial class DnsMessage
{
    internal static DnsMessage FromView(DnsMessageView view)
    {
        var questions = new List<DnsQuestion>(view.QuestionCount);
        foreach (var question in view.Questions)
            questions.Add(question.ToQuestion());
        var sections = new[] { new List<DnsRecord>(), new List<DnsRecord>(), new List<DnsRecord>() };
        foreach (var record in view.Records)
        {
            if (record.Type != DnsType.OPT)
                sections[(int)record.Section - 1].Add(ToRecord(view.Bytes, record));
        }
        return new DnsMessage
        {
            Header = view.Header,
            Questions = questions,
            Answers = sections[0],
            Authorities = sections[1],
            Additionals = sections[2],
            Edns = view.TryGetEdns(out var edns) ? edns.ToEdns() : null,
        };
    }

    private static DnsRecord ToRecord(ReadOnlySpan<byte> message, DnsRecordView record) =>
        new(record.Name.ToDnsName(), record.Type, record.Class, record.Ttl, ToData(message, record));

    private static DnsRecordData ToData(ReadOnlySpan<byte> message, DnsRecordView record)
    {
        if (record.TryGetAddress(out var address))
            return new DnsAddressData(address);
        var at = record.RDataOffset;
        switch (record.Type)
        {
            case DnsType.CNAME or DnsType.DNAME or DnsType.NS or DnsType.PTR:
                return new DnsNameData(DnsName.FromMessage(message, at));
            case DnsType.MX:
                return new DnsMxData(BinaryPrimitives.ReadUInt16BigEndian(message[at..]), DnsName.FromMessage(message, at + 2));
            case DnsType.SRV:
                return new DnsSrvData(
                    BinaryPrimitives.ReadUInt16BigEndian(message[at..]), BinaryPrimitives.ReadUInt16BigEndian(message[(at + 2)..]),
                    BinaryPrimitives.ReadUInt16BigEndian(message[(at + 4)..]), DnsName.FromMessage(message, at + 6));
            case DnsType.SOA:
                var primary = DnsName.FromMessage(message, at);
                var mailboxAt = WireName.SkipValidated(message, at);
                var mailbox = DnsName.FromMessage(message, mailboxAt);
                var numbers = message[WireName.SkipValidated(message, mailboxAt)..];
                return new DnsSoaData(
                    primary, mailbox, BinaryPrimitives.ReadUInt32BigEndian(numbers), BinaryPrimitives.ReadUInt32BigEndian(numbers[4..]),
                    BinaryPrimitives.ReadUInt32BigEndian(numbers[8..]), BinaryPrimitives.ReadUInt32BigEndian(numbers[12..]),
                    BinaryPrimitives.ReadUInt32BigEndian(numbers[16..]));
        }
        if (RDataLayout.For(record.Type) is { } layout)
        {
            // Names here may point into this message: expand them so the bytes stand alone.
            RDataLayout.Validate(message, at, at + record.RDataLength, layout, out var length);
            var buffer = new byte[length];
            RDataLayout.Expand(message, at, layout, buffer);
            return new DnsOpaqueData(buffer);
        }
        return new DnsOpaqueData(record.RData);
    }
}
