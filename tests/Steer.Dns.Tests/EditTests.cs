namespace Steer.Dns.Tests;

public class EditTests
{
    [Fact]
    public void SetId_changes_only_the_ID()
    {
        var bytes = (byte[])Captures.AAnswer.Clone();
        DnsMessageEdits.SetId(bytes, 0xBEEF);
        Assert.Equal(0xBEEF, DnsMessageView.Parse(bytes).Id);
        Assert.Equal(Captures.AAnswer[2..], bytes[2..]);
        Assert.Throws<DnsFormatException>(() => DnsMessageEdits.SetId(new byte[5], 1));
    }

    [Fact]
    public void Minimum_TTL_over_all_records_but_OPT()
    {
        var message = new DnsMessage
        {
            Answers = [DnsRecord.Address(DnsName.Parse("a"), 300, DnsAddress.Parse("192.0.2.1"))],
            Additionals = [DnsRecord.Address(DnsName.Parse("b"), 30, DnsAddress.Parse("192.0.2.2"))],
            Edns = new DnsEdns { Flags = 0x8000 }, // OPT "TTL" field 0x00008000 must not count
        };
        Assert.True(DnsTtl.TryGetMinimum(DnsMessageView.Parse(message.ToArray()), out var ttl));
        Assert.Equal(30u, ttl);
    }

    [Fact]
    public void Negative_answers_are_cached_for_the_SOA_minimum_when_smaller()
    {
        var soa = new DnsRecord(DnsName.Parse("example"), DnsType.SOA, DnsClass.IN, 3600,
            new DnsSoaData(DnsName.Parse("ns.example"), DnsName.Parse("host.example"), 1, 2, 3, 4, 60));
        var message = new DnsMessage { Header = new DnsHeader(1, 0) { Rcode = DnsRcode.NXDomain }, Authorities = [soa] };
        Assert.True(DnsTtl.TryGetMinimum(DnsMessageView.Parse(message.ToArray()), out var ttl));
        Assert.Equal(60u, ttl);
    }

    [Fact]
    public void TTLs_with_the_top_bit_set_read_as_zero()
    {
        var bytes = (byte[])Captures.AAnswer.Clone();
        var view = DnsMessageView.Parse(bytes);
        var ttlOffset = 0;
        foreach (var record in view.Answers)
        {
            ttlOffset = record.TtlOffset;
            break;
        }
        bytes[ttlOffset] = 0x80;
        Assert.True(DnsTtl.TryGetMinimum(DnsMessageView.Parse(bytes), out var ttl));
        Assert.Equal(0u, ttl);
    }

    [Fact]
    public void Aging_decrements_every_TTL_in_place_and_stops_at_zero()
    {
        var message = new DnsMessage
        {
            Answers =
            [
                DnsRecord.Cname(DnsName.Parse("a"), 100, DnsName.Parse("b")),
                DnsRecord.Address(DnsName.Parse("b"), 20, DnsAddress.Parse("192.0.2.1")),
            ],
            Edns = new DnsEdns { ExtendedRcode = 1, Version = 0, Flags = 0x8000 },
        };
        var bytes = message.ToArray();
        DnsTtl.Decrement(bytes, 30);
        var aged = DnsMessage.Parse(bytes);
        Assert.Equal([70u, 0u], aged.Answers.Select(r => r.Ttl));
        Assert.Equal(message.Edns, aged.Edns); // OPT's TTL field holds flags: untouched
        Assert.Equal(message.Rcode, aged.Rcode);
    }

    [Fact]
    public void Aging_a_malformed_message_changes_nothing()
    {
        var bytes = Captures.AAnswer[..^1];
        var copy = (byte[])bytes.Clone();
        Assert.False(DnsTtl.TryDecrement(bytes, 10, out var error));
        Assert.Equal(DnsFormatError.RecordTruncated, error.Reason);
        Assert.Equal(copy, bytes);
    }

    [Fact]
    public void Small_answers_are_copied_unchanged()
    {
        var view = DnsMessageView.Parse(Captures.ChainAnswer);
        var destination = new byte[600];
        Assert.True(DnsTruncation.TryFit(view, 512, destination, out var written, out var truncated));
        Assert.False(truncated);
        Assert.Equal(Captures.ChainAnswer, destination[..written]);
    }

    [Fact]
    public void Big_answers_keep_whole_records_that_fit_plus_OPT_and_set_TC()
    {
        var name = DnsName.Parse("many.example");
        var answers = Enumerable.Range(0, 100).Select(i => DnsRecord.Address(name, 60, DnsAddress.FromBytes([192, 0, 2, (byte)i]))).ToList();
        var message = new DnsMessage
        {
            Header = new DnsHeader(7, 0) { IsResponse = true },
            Questions = [new DnsQuestion(name, DnsType.A)],
            Answers = answers,
            Edns = new DnsEdns { UdpPayloadSize = 4096 },
        };
        var view = DnsMessageView.Parse(message.ToArray());
        var destination = new byte[600];
        Assert.True(DnsTruncation.TryFit(view, 512, destination, out var written, out var truncated));
        Assert.True(truncated);
        Assert.True(written <= 512);
        var cut = DnsMessage.Parse(destination.AsSpan(0, written));
        Assert.True(cut.Header.Truncated);
        Assert.Equal(message.Questions, cut.Questions);
        Assert.Equal(message.Edns, cut.Edns);
        // Question 18+4 bytes, OPT 11: (512 - 12 - 18 - 4 - 11) / 16 whole records.
        Assert.Equal(answers.Take((512 - 12 - 22 - 11) / 16), cut.Answers);
    }

    [Fact]
    public void Dropping_only_additional_records_does_not_set_TC()
    {
        var name = DnsName.Parse("x.example");
        var message = new DnsMessage
        {
            Questions = [new DnsQuestion(name, DnsType.A)],
            Answers = [DnsRecord.Address(name, 60, DnsAddress.Parse("192.0.2.1"))],
            Additionals = Enumerable.Range(0, 60).Select(i => DnsRecord.Address(name, 60, DnsAddress.FromBytes([198, 51, 100, (byte)i]))).ToList(),
        };
        var view = DnsMessageView.Parse(message.ToArray());
        var destination = new byte[512];
        Assert.True(DnsTruncation.TryFit(view, 512, destination, out var written, out var truncated));
        Assert.False(truncated);
        var cut = DnsMessage.Parse(destination.AsSpan(0, written));
        Assert.False(cut.Header.Truncated);
        Assert.Equal(message.Answers, cut.Answers);
        Assert.True(cut.Additionals.Count < 60);
    }

    [Fact]
    public void UDP_limit_comes_from_the_query_EDNS_and_is_never_below_512()
    {
        Assert.Equal(512, DnsTruncation.UdpLimitFor(DnsMessageView.Parse(Captures.AQuery)));
        Assert.Equal(1232, DnsTruncation.UdpLimitFor(DnsMessageView.Parse(Captures.AaaaQueryEdns)));
        var tiny = new byte[64];
        Assert.True(DnsQueries.TryWrite(tiny, 1, DnsName.Parse("a"), DnsType.A, new DnsEdns { UdpPayloadSize = 100 }, out var written));
        Assert.Equal(512, DnsTruncation.UdpLimitFor(DnsMessageView.Parse(tiny.AsSpan(0, written))));
    }
}
