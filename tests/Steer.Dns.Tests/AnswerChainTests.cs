namespace Steer.Dns.Tests;

public class AnswerChainTests
{
    private static readonly DnsName Question = DnsName.Parse("app.example");

    private static DnsAnswerChain Walk(params DnsRecord[] answers) => Walk(answers, []);

    private static DnsAnswerChain Walk(DnsRecord[] answers, DnsRecord[] additionals)
    {
        var message = new DnsMessage
        {
            Header = new DnsHeader(1, 0x8180),
            Questions = [new DnsQuestion(Question, DnsType.A)],
            Answers = answers,
            Additionals = additionals,
        };
        return DnsAnswerChain.Walk(DnsMessageView.Parse(message.ToArray()), Question);
    }

    private static DnsRecord Cname(string from, string to, uint ttl = 300) => DnsRecord.Cname(DnsName.Parse(from), ttl, DnsName.Parse(to));

    private static DnsRecord A(string name, string address, uint ttl = 60) => DnsRecord.Address(DnsName.Parse(name), ttl, DnsAddress.Parse(address));

    [Fact]
    public void Plain_answer_is_a_chain_of_one()
    {
        var chain = Walk(A("app.example", "192.0.2.1"), A("APP.example", "2001:db8::1", 30));
        Assert.Equal([Question], chain.Names);
        Assert.Equal(
            [new DnsChainAddress(Question, DnsAddress.Parse("192.0.2.1"), 60), new DnsChainAddress(Question, DnsAddress.Parse("2001:db8::1"), 30)],
            chain.Addresses);
        Assert.Equal(DnsTtl.Max, chain.CnameTtl);
    }

    [Fact]
    public void Chain_is_followed_whatever_the_record_order()
    {
        var chain = Walk(
            A("edge.cdn.example", "192.0.2.7"),
            Cname("b.example", "edge.cdn.example", 20),
            Cname("app.example", "b.example", 100));
        Assert.Equal(["app.example", "b.example", "edge.cdn.example"], chain.Names.Select(n => n.ToString()));
        Assert.Equal([DnsName.Parse("edge.cdn.example")], chain.FinalNames);
        Assert.Equal(DnsAddress.Parse("192.0.2.7"), Assert.Single(chain.Addresses).Address);
        Assert.Equal(20u, chain.CnameTtl);
        Assert.False(chain.HasCycle);
    }

    [Fact]
    public void Addresses_of_names_outside_the_chain_are_ignored()
    {
        var chain = Walk(
            [Cname("app.example", "real.example"), A("real.example", "192.0.2.1"), A("evil.example", "203.0.113.66"), A("app.example", "203.0.113.67")],
            [A("real.example", "203.0.113.68")]);
        // Not evil.example (off the chain), not app.example's A (it has a CNAME), not the additional section.
        Assert.Equal([DnsAddress.Parse("192.0.2.1")], chain.Addresses.Select(a => a.Address));
    }

    [Fact]
    public void Cycles_are_detected_and_give_no_addresses()
    {
        var chain = Walk(Cname("app.example", "b.example"), Cname("b.example", "APP.example"), A("b.example", "192.0.2.1"));
        Assert.True(chain.HasCycle);
        Assert.Equal(["app.example", "b.example"], chain.Names.Select(n => n.ToString()));
        Assert.Empty(chain.FinalNames);
        Assert.Empty(chain.Addresses);
    }

    [Fact]
    public void Self_CNAME_is_a_cycle()
    {
        var chain = Walk(Cname("app.example", "app.example"));
        Assert.True(chain.HasCycle);
        Assert.Empty(chain.Addresses);
    }

    [Fact]
    public void Long_chains_are_cut_at_the_limit()
    {
        var records = Enumerable.Range(0, 30).Select(i => Cname(i == 0 ? "app.example" : $"n{i}.example", $"n{i + 1}.example")).ToArray();
        var chain = Walk(records);
        Assert.True(chain.IsCutShort);
        Assert.Equal(DnsLimits.MaxChainNames, chain.Names.Count);
    }

    [Fact]
    public void Two_CNAMEs_for_one_name_give_two_final_names()
    {
        // Forbidden by RFC 2181 §10.1, seen in the wild; every branch is a name rules must see.
        var chain = Walk(Cname("app.example", "x.example"), Cname("app.example", "y.example"), A("x.example", "192.0.2.1"), A("y.example", "192.0.2.2"));
        Assert.Equal(3, chain.Names.Count);
        Assert.Equal(2, chain.FinalNames.Count());
        Assert.Equal(2, chain.Addresses.Count);
    }

    [Fact]
    public void CNAME_without_an_address_ends_the_chain_with_no_addresses()
    {
        var chain = Walk(Cname("app.example", "elsewhere.example"));
        Assert.Equal([DnsName.Parse("elsewhere.example")], chain.FinalNames);
        Assert.Empty(chain.Addresses);
    }

    [Fact]
    public void Captured_chain_from_dnsmasq()
    {
        var chain = DnsAnswerChain.Walk(DnsMessageView.Parse(Captures.ChainAnswer), DnsName.Parse("a2.example.test"));
        Assert.Equal(["a2.example.test", "alias.example.test", "www.example.test"], chain.Names.Select(n => n.ToString()));
        Assert.Equal([DnsAddress.Parse("192.0.2.11"), DnsAddress.Parse("192.0.2.10")], chain.Addresses.Select(a => a.Address));
        Assert.All(chain.Addresses, a => Assert.Equal(300u, a.Ttl));
    }

    [Fact]
    public void Reading_again_forgets_the_previous_answer()
    {
        var chain = DnsAnswerChain.Walk(DnsMessageView.Parse(Captures.ChainAnswer), DnsName.Parse("a2.example.test"));
        chain.Read(DnsMessageView.Parse(Captures.AAnswer), DnsName.Parse("www.example.test"));
        Assert.Single(chain.Names);
        Assert.Equal(2, chain.Addresses.Count);
        Assert.Equal(DnsTtl.Max, chain.CnameTtl);
    }
}

public class AnswerChainOwnQuestionTests
{
    [Fact]
    public void Reads_the_chain_of_the_answer_own_question()
    {
        var chain = new DnsAnswerChain();
        chain.Read(DnsMessageView.Parse(Captures.ChainAnswer));
        Assert.Equal(3, chain.Names.Count);
        chain.Read(DnsMessageView.Parse(Captures.Hex("000081800000000000000000")));
        Assert.Empty(chain.Names);
        Assert.Empty(chain.Addresses);
    }
}
