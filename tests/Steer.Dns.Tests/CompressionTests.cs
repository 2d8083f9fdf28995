namespace Steer.Dns.Tests;

/// <summary>Compression as RFC 1035 §4.1.4 draws it, and its corners.</summary>
public class CompressionTests
{
    [Fact]
    public void RFC_1035_example_F_ISI_ARPA_FOO_and_ARPA()
    {
        // The RFC's picture: F.ISI.ARPA written out; FOO.F.ISI.ARPA as FOO + pointer to it; ARPA as a pointer
        // into the middle of the first name; and the root. Here F.ISI.ARPA sits at 12 rather than 20.
        var bytes = Captures.Hex(
            "0000 8000 0001 0003 0000 0000".Replace(" ", "") +
            "0146034953490441525041 00 0001 0001" + // 12: F.ISI.ARPA A IN (name 12..23)
            "03464f4f c00c 0001 0001 00000e10 0004 0a000001" + // 28: FOO.F.ISI.ARPA A 10.0.0.1
            "c012 0002 0001 00000e10 0001 00" + // ARPA (pointer to 18) NS .
            "00 0002 0001 00000e10 0002 c012"); // . NS ARPA
        var message = DnsMessage.Parse(bytes);
        Assert.Equal(DnsName.Parse("f.isi.arpa"), message.Questions[0].Name);
        Assert.Equal(DnsName.Parse("foo.f.isi.arpa"), message.Answers[0].Name);
        Assert.Equal(DnsName.Parse("arpa"), message.Answers[1].Name);
        Assert.Equal(new DnsNameData(DnsName.Root), message.Answers[1].Data);
        Assert.Equal(DnsName.Root, message.Answers[2].Name);
        Assert.Equal(new DnsNameData(DnsName.Parse("arpa")), message.Answers[2].Data);
        // Written again, the compression is the same; only the names come out lowercased (no other byte here is a letter).
        Assert.Equal(bytes.Select(b => b is >= (byte)'A' and <= (byte)'Z' ? (byte)(b | 0x20) : b), message.ToArray());
    }

    [Fact]
    public void Writer_points_at_the_longest_earlier_suffix_case_insensitively()
    {
        var buffer = new byte[512];
        var writer = new DnsMessageWriter(buffer, new DnsHeader(1, 0));
        Assert.True(writer.TryWriteQuestion(DnsName.Parse("www.example.com"), DnsType.A));
        Assert.True(writer.TryWriteRecord(DnsSection.Answer, DnsRecord.Cname(DnsName.Parse("WWW.EXAMPLE.COM"), 60, DnsName.Parse("cdn.example.com"))));
        var bytes = writer.Written.ToArray();
        // Owner: a bare pointer to 12. Target: "cdn" + pointer to "example.com" at 16.
        Assert.Equal(Captures.Hex("c00c000500010000003c0006036364" + "6ec010"), bytes[(12 + 17 + 4)..]);
    }

    [Fact]
    public void SRV_and_DNAME_targets_are_not_compressed_but_CNAME_MX_NS_are()
    {
        var name = DnsName.Parse("example.com");
        var message = new DnsMessage
        {
            Questions = [new DnsQuestion(name, DnsType.ANY)],
            Answers =
            [
                new DnsRecord(name, DnsType.SRV, DnsClass.IN, 1, new DnsSrvData(0, 0, 0, name)),
                new DnsRecord(name, DnsType.DNAME, DnsClass.IN, 1, new DnsNameData(name)),
                new DnsRecord(name, DnsType.MX, DnsClass.IN, 1, new DnsMxData(0, name)),
                new DnsRecord(name, DnsType.NS, DnsClass.IN, 1, new DnsNameData(name)),
            ],
        };
        var view = DnsMessageView.Parse(message.ToArray());
        var lengths = new List<int>();
        foreach (var record in view.Answers)
            lengths.Add(record.RDataLength);
        Assert.Equal([6 + 13, 13, 2 + 2, 2], lengths);
    }

    [Fact]
    public void Root_name_is_never_a_pointer()
    {
        var buffer = new byte[64];
        var writer = new DnsMessageWriter(buffer, default);
        Assert.True(writer.TryWriteQuestion(DnsName.Root, DnsType.NS));
        Assert.True(writer.TryWriteRecord(DnsSection.Answer, DnsRecord.Cname(DnsName.Root, 0, DnsName.Root)));
        Assert.Equal(Captures.Hex("00 0002 0001 00 0005 0001 00000000 0001 00".Replace(" ", "")), writer.Written[12..].ToArray());
    }

    [Fact]
    public void Names_after_offset_16383_are_written_but_never_pointed_at()
    {
        // Fill the message past the 14-bit pointer range with opaque records, then repeat a name twice.
        var buffer = new byte[DnsLimits.MaxMessageLength];
        var writer = new DnsMessageWriter(buffer, default);
        var filler = new byte[1000];
        while (writer.Length < 0x4000)
            Assert.True(writer.TryWriteRecord(DnsSection.Answer, DnsName.Root, DnsType.NULL, DnsClass.IN, 0, filler));
        var late = DnsName.Parse("late.example");
        Assert.True(writer.TryWriteAddress(DnsSection.Answer, late, 1, DnsAddress.Parse("192.0.2.1")));
        Assert.True(writer.TryWriteAddress(DnsSection.Answer, late, 1, DnsAddress.Parse("192.0.2.2")));
        var message = DnsMessage.Parse(writer.Written);
        Assert.Equal([late, late], message.Answers.TakeLast(2).Select(r => r.Name));
        // Each copy spelt out: 2 * (14 + 10 + 4).
        Assert.Equal(2 * 28, writer.Length - message.Answers.SkipLast(2).Sum(_ => 1 + 10 + 1000) - DnsHeader.Size);
    }

    [Fact]
    public void Parser_accepts_pointer_to_pointer_and_names_pointing_into_RDATA()
    {
        // Question www.example.com at 12; answer CNAME whose owner is a pointer to a pointer... is impossible to make
        // with a backward-only rule unless the first pointer sits in an earlier place: put one in the first answer's RDATA.
        var bytes = Captures.Hex(
            "0000 8000 0001 0002 0000 0000".Replace(" ", "") +
            "03777777076578616d706c6503636f6d00 0001 0001" + // 12..28 name, 29..32 type/class
            "c00c 0005 0001 00000001 0002 c010" + // 33: CNAME www.example.com -> example.com (pointer to 16), RDATA at 45
            "c02d 0001 0001 00000001 0004 c0000201"); // 47: owner = pointer to 45, which is a pointer to 16
        var message = DnsMessage.Parse(bytes);
        Assert.Equal(DnsName.Parse("example.com"), message.Answers[1].Name);
    }
}
