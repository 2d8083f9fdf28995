namespace Steer.Dns.Tests;

public class CapturedMessageTests
{
    private static readonly DnsName Www = DnsName.Parse("www.example.test");

    [Fact]
    public void Query_from_the_capture()
    {
        var view = DnsMessageView.Parse(Captures.AQuery);
        Assert.Equal(0x1234, view.Id);
        Assert.False(view.Header.IsResponse);
        Assert.True(view.Header.RecursionDesired);
        Assert.True(view.TryGetQuestion(out var question));
        Assert.True(question.Name.Matches(Www));
        Assert.Equal(DnsType.A, question.Type);
        Assert.Equal(DnsClass.IN, question.Class);
        Assert.False(view.HasEdns);
    }

    [Fact]
    public void Answer_with_compressed_owners()
    {
        var message = DnsMessage.Parse(Captures.AAnswer);
        Assert.True(message.Header.IsResponse);
        Assert.True(message.Header.AuthoritativeAnswer);
        Assert.True(message.Header.RecursionAvailable);
        Assert.Equal(DnsRcode.NoError, message.Rcode);
        Assert.Equal(
            [DnsRecord.Address(Www, 300, DnsAddress.Parse("192.0.2.10")), DnsRecord.Address(Www, 300, DnsAddress.Parse("192.0.2.11"))],
            message.Answers);
    }

    [Fact]
    public void Answer_with_EDNS()
    {
        var view = DnsMessageView.Parse(Captures.AaaaAnswerEdns);
        Assert.True(view.TryGetEdns(out var edns));
        Assert.Equal(1232, edns.UdpPayloadSize);
        Assert.Equal(0, edns.Version);
        Assert.False(edns.DnssecOk);
        Assert.Equal(0, edns.Options.Length);
        var message = view.ToMessage();
        Assert.Empty(message.Additionals);
        Assert.Equal(DnsAddress.Parse("2001:db8::10"), Assert.IsType<DnsAddressData>(Assert.Single(message.Answers).Data).Address);
    }

    [Fact]
    public void CNAME_chain_with_targets_pointed_into()
    {
        var message = DnsMessage.Parse(Captures.ChainAnswer);
        Assert.Equal(
            [
                DnsRecord.Cname(DnsName.Parse("a2.example.test"), 300, DnsName.Parse("alias.example.test")),
                DnsRecord.Cname(DnsName.Parse("alias.example.test"), 300, Www),
                DnsRecord.Address(Www, 300, DnsAddress.Parse("192.0.2.11")),
                DnsRecord.Address(Www, 300, DnsAddress.Parse("192.0.2.10")),
            ],
            message.Answers);
    }

    [Fact]
    public void MX_with_glue()
    {
        var message = DnsMessage.Parse(Captures.MxAnswer);
        var mx = Assert.IsType<DnsMxData>(Assert.Single(message.Answers).Data);
        Assert.Equal(new DnsMxData(10, DnsName.Parse("mail.example.test")), mx);
        var glue = Assert.Single(message.Additionals);
        Assert.Equal(DnsRecord.Address(DnsName.Parse("mail.example.test"), 300, DnsAddress.Parse("192.0.2.25")), glue);
    }

    [Fact]
    public void SRV_and_PTR()
    {
        Assert.Equal(
            new DnsSrvData(1, 2, 5060, DnsName.Parse("sip.example.test")),
            Assert.Single(DnsMessage.Parse(Captures.SrvAnswer).Answers).Data);
        var ptr = Assert.Single(DnsMessage.Parse(Captures.PtrAnswer).Answers);
        Assert.Equal(DnsName.Parse("10.2.0.192.in-addr.arpa"), ptr.Name);
        Assert.Equal(new DnsNameData(Www), ptr.Data);
    }

    [Fact]
    public void NXDOMAIN()
    {
        var view = DnsMessageView.Parse(Captures.NxDomainEdns);
        Assert.Equal(DnsRcode.NXDomain, view.Rcode);
        Assert.Equal(0, view.AnswerCount);
        Assert.False(DnsTtl.TryGetMinimum(view, out _));
    }

    [Fact]
    public void Every_capture_survives_a_round_trip_through_the_object_model()
    {
        foreach (var bytes in Captures.All)
        {
            var message = DnsMessage.Parse(bytes);
            var rewritten = message.ToArray();
            Assert.Equal(message, DnsMessage.Parse(rewritten));
            // Our compression is at least as good as dnsmasq's (which leaves CNAME targets whole).
            Assert.True(rewritten.Length <= bytes.Length, $"{rewritten.Length} > {bytes.Length}");
        }
    }

    [Fact]
    public void Our_writer_reproduces_simple_captures_byte_for_byte()
    {
        // Same record order, same compression choices: the bytes must be identical.
        Assert.Equal(Captures.AAnswer, DnsMessage.Parse(Captures.AAnswer).ToArray());
        Assert.Equal(Captures.AQuery, DnsMessage.Parse(Captures.AQuery).ToArray());
        Assert.Equal(Captures.AaaaAnswerEdns, DnsMessage.Parse(Captures.AaaaAnswerEdns).ToArray());
    }
}
