using FsCheck;
using FsCheck.Fluent;

namespace Steer.Dns.Tests;

/// <summary>What the resolver's decide step reads without allocating (issue #3): a name's text
/// into a span, and CNAME targets of answers read before.</summary>
public class NameTextWithoutAllocationTests
{
    [Fact]
    public void Plain_text_is_the_presentation_text_exactly_when_it_needs_no_escape() =>
        Check.One(Generators.Config, Prop.ForAll(Generators.Name.ToArbitrary(), name =>
        {
            Span<char> text = stackalloc char[DnsLimits.MaxNameLength];
            var presentation = name.ToString();
            bool plain = name.TryWritePlainText(text, out int written);
            Assert.Equal(!presentation.Contains('\\'), plain);
            if (plain)
                Assert.Equal(presentation, text[..written].ToString());
        }));

    [Fact]
    public void Plain_text_refuses_a_buffer_too_small()
    {
        Assert.False(DnsName.Parse("www.example.test").TryWritePlainText(new char[15], out _));
        Assert.True(DnsName.Parse("www.example.test").TryWritePlainText(new char[16], out int written));
        Assert.Equal(16, written);
        Assert.True(DnsName.Root.TryWritePlainText([], out written));
        Assert.Equal(0, written);
    }

    [Fact]
    public void A_chain_read_again_allocates_nothing_and_gives_the_same_names()
    {
        var question = DnsName.Parse("www.example.test");
        var buffer = new byte[512];
        var writer = new DnsMessageWriter(buffer, new DnsHeader(1, 0x8180));
        writer.TryWriteQuestion(question, DnsType.A);
        writer.TryWriteRecord(DnsSection.Answer, DnsRecord.Cname(question, 60, DnsName.Parse("a.cdn.test")));
        writer.TryWriteRecord(DnsSection.Answer, DnsRecord.Cname(DnsName.Parse("a.cdn.test"), 60, DnsName.Parse("b.cdn.test")));
        writer.TryWriteAddress(DnsSection.Answer, DnsName.Parse("b.cdn.test"), 60, DnsAddress.Parse("192.0.2.1"));
        var answer = buffer[..writer.Length];
        var chain = new DnsAnswerChain();
        chain.Read(DnsMessageView.Parse(answer), question);
        var names = chain.Names.ToArray();

        long before = GC.GetAllocatedBytesForCurrentThread();
        for (int i = 0; i < 100; i++)
            chain.Read(DnsMessageView.Parse(answer), question);
        long allocated = GC.GetAllocatedBytesForCurrentThread() - before;

        Assert.Equal(0, allocated);
        Assert.Equal(names, chain.Names);
        Assert.Single(chain.Addresses);
    }
}
