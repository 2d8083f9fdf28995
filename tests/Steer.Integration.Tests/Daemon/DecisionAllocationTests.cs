using System.Net;
using Steer.Daemon;
using Steer.Dns;
using Steer.Integration.Tests.LabTests;
using Steer.Linux.SocketPlane;
using Steer.Policy.Names;
using Steer.Policy.Rules;
using Xunit;
using Rule = Steer.Policy.Rules.Rule;

namespace Steer.Integration.Tests.Daemon;

/// <summary>
/// The decide step the resolver runs before every answer (issue #3) allocates nothing once warm:
/// a GC during it would add its pause to the answer's latency. Measured with the thread's
/// allocation counter around NamePlane.Decide on answers it has seen before (CNAME chains, IPv4
/// and IPv6, a rule on the question and one on a CNAME target), against the real decision maps.
/// </summary>
public sealed class DecisionAllocationTests
{
    private static readonly DnsName Www = DnsName.Parse("www.example.test");
    private static readonly DnsName Edge = DnsName.Parse("edge.cdn.test");
    private static readonly DnsName Other = DnsName.Parse("other.cdn.test");
    private static readonly DnsName Inner = DnsName.Parse("x.example.test");

    [Fact]
    public async Task Deciding_a_warm_answer_allocates_nothing()
    {
        TwoUplinks.SkipUnlessSupported();
        await using var lab = await Steer.Lab.Lab.BuildAsync(t =>
        {
            var host = t.Host("host");
            var server = t.Host("server");
            t.Link(host.End("up1", "10.1.0.2/24"), server.End("s1", "10.1.0.1/24"));
        });
        var host = lab["host"];
        using var plane = new Host.ThrowAwayHostPlane("alloc-test");
        var binding = plane.Binding;
        var rules = RuleSet.Build([new Rule(new DomainDestination(DomainName.Parse("example.test")), new ViaAction("up1"))]);
        using var names = host.Run(() => new NamePlane(rules, binding.Decisions, binding.CidrRules, TextWriter.Null));
        var first = Answer(Www, Edge, ["192.0.2.10", "192.0.2.11", "2001:db8::1"]);
        var second = Answer(Other, Inner, ["192.0.2.20"]); // the rule covers the CNAME target only
        var unruled = Answer(Other, Edge, ["192.0.2.30"]);

        long allocated = Measure(names, first, second, unruled);

        Assert.Equal(0, allocated);
        Assert.True(binding.Decisions.TryGet(IPAddress.Parse("2001:db8::1"), out var decision));
        Assert.Equal(host.Run(() => { using var netlink = Steer.Linux.Netlink.NetlinkHandle.Open(); return netlink.GetLink("up1")!.Index; }), decision.InterfaceIndex);
        Assert.True(binding.Decisions.TryGet(IPAddress.Parse("192.0.2.20"), out _));
        Assert.False(binding.Decisions.TryGet(IPAddress.Parse("192.0.2.30"), out _));
        Assert.Equal("www.example.test", names.NameOf(IPAddress.Parse("192.0.2.11")));
        Assert.Equal("other.cdn.test", names.NameOf(IPAddress.Parse("192.0.2.20")));
        Assert.Equal("other.cdn.test", names.NameOf(IPAddress.Parse("192.0.2.30")));
        Assert.Equal(5, names.AddressNames().Count);

        // The resolver's route lookup on a cache miss allocates nothing either; a name with a
        // byte that needs an escape matches no rule: "evil\.example.test" is the labels "evil.example" and "test",
        // not a name under example.test, though its text without the escape would look like one.
        var escaped = DnsName.Parse(@"evil\.example.test");
        Assert.NotNull(names.MatchName(Www));
        Assert.Null(names.MatchName(Other));
        Assert.Null(names.MatchName(escaped));
        long before = GC.GetAllocatedBytesForCurrentThread();
        for (int i = 0; i < 200; i++)
        {
            _ = names.MatchName(Www);
            _ = names.MatchName(Other);
            _ = names.MatchName(escaped);
        }
        Assert.Equal(0, GC.GetAllocatedBytesForCurrentThread() - before);
    }

    /// <summary>Bytes allocated by 200 rounds of deciding the answers, after a warm-up round.
    /// Nothing but Decide inside the measured loop (Assert.Equal itself allocates).</summary>
    private static long Measure(NamePlane names, byte[] first, byte[] second, byte[] unruled)
    {
        int Round() =>
            names.Decide(DnsMessageView.Parse(first), Www) * 100
            + names.Decide(DnsMessageView.Parse(second), Other) * 10
            + names.Decide(DnsMessageView.Parse(unruled), Other);
        Assert.Equal(310, Round());
        Assert.Equal(310, Round());
        int wrong = 0;
        long before = GC.GetAllocatedBytesForCurrentThread();
        for (int i = 0; i < 200; i++)
            wrong += Round() == 310 ? 0 : 1;
        long allocated = GC.GetAllocatedBytesForCurrentThread() - before;
        Assert.Equal(0, wrong);
        return allocated;
    }

    /// <summary>An answer: question CNAME target, target A/AAAA addresses.</summary>
    private static byte[] Answer(DnsName question, DnsName target, string[] addresses)
    {
        var buffer = new byte[512];
        var writer = new DnsMessageWriter(buffer, new DnsHeader(7, 0x8180));
        Assert.True(writer.TryWriteQuestion(question, DnsType.A));
        Assert.True(writer.TryWriteRecord(DnsSection.Answer, DnsRecord.Cname(question, 300, target)));
        foreach (var address in addresses)
            Assert.True(writer.TryWriteAddress(DnsSection.Answer, target, 60, DnsAddress.Parse(address)));
        return buffer[..writer.Length];
    }
}
