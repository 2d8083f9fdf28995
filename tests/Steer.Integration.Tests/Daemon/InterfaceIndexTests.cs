using System.Net;
using Steer.Daemon;
using Steer.Dns;
using Steer.Linux.Netlink;
using Steer.Linux.SocketPlane;
using Steer.Integration.Tests.LabTests;
using Steer.Policy;
using Steer.Policy.Names;
using Steer.Policy.Rules;
using Xunit;
using Rule = Steer.Policy.Rules.Rule;

namespace Steer.Integration.Tests.Daemon;

/// <summary>
/// The name plane's interface index cache: no netlink round trip per answer, and never a stale
/// index once the link's event is read — a deleted interface refuses (fail closed), a re-created
/// one is used by its new index — by name decisions and by the CIDR rules in the kernel alike.
/// </summary>
public sealed class InterfaceIndexTests
{
    private static readonly Link Up1 = new(5, "up1", true, true, 1500, "veth", 1);

    [Fact]
    public void A_lookup_answered_before_an_event_is_not_cached_after_it()
    {
        InterfaceIndexes? indexes = null;
        int lookups = 0;
        indexes = new InterfaceIndexes(name =>
        {
            lookups++;
            if (lookups == 1)
                indexes!.OnEvent(new LinkEvent(LinkChange.Deleted, Up1)); // the link goes while we ask
            return 5;
        }, TextWriter.Null);
        Assert.Equal(5, indexes.IndexOf("up1"));
        Assert.Equal(0, indexes.Count); // the answer may predate the delete: not kept
        Assert.Equal(5, indexes.IndexOf("up1"));
        Assert.Equal(5, indexes.IndexOf("up1"));
        Assert.Equal(2, lookups); // the second answer is kept
    }

    [Fact]
    public void Events_drop_the_entries_of_their_name_and_of_their_index()
    {
        var answers = new Dictionary<string, int?> { ["up1"] = 5, ["up2"] = 6, ["gone"] = null };
        var indexes = new InterfaceIndexes(name => answers[name], TextWriter.Null);
        var changed = new List<string>();
        indexes.Changed += changed.Add;
        Assert.Equal(5, indexes.IndexOf("up1"));
        Assert.Equal(6, indexes.IndexOf("up2"));
        Assert.Equal(InterfaceIndexes.Missing, indexes.IndexOf("gone"));
        Assert.Equal(3, indexes.Count);

        // up1 (index 5) renamed to wan: the old name's entry goes, whatever the event's name.
        indexes.OnEvent(new LinkEvent(LinkChange.Changed, Up1 with { Name = "wan" }));
        Assert.Equal(["up1", "wan"], changed);
        Assert.Equal(2, indexes.Count);

        // A missing interface appears: its negative entry goes.
        answers["gone"] = 9;
        indexes.OnEvent(new LinkEvent(LinkChange.Added, Up1 with { Index = 9, Name = "gone" }));
        Assert.Equal(9, indexes.IndexOf("gone"));

        indexes.OnEvent(new EventsLost());
        Assert.Equal(0, indexes.Count);
    }

    private static readonly DnsName Www = DnsName.Parse("www.example.test");

    [Fact]
    public async Task A_link_deleted_and_re_created_is_refused_then_used_by_its_new_index()
    {
        TwoUplinks.SkipUnlessSupported();
        await using var lab = await Steer.Lab.Lab.BuildAsync(t =>
        {
            var host = t.Host("host");
            var server = t.Host("server");
            t.Link(host.End("up1", "10.1.0.2/24"), server.End("s1", "10.1.0.1/24"));
        });
        var host = lab["host"];
        using var plane = new Host.ThrowAwayHostPlane("ifindex-test");
        var (binding, pins) = (plane.Binding, plane.Pins);
        var rules = RuleSet.Build([
            new Rule(new DomainDestination(DomainName.Parse("example.test")), new ViaAction("up1")),
            new Rule(new CidrDestination(Cidr.Parse("10.8.0.0/16")), new ViaAction("up1")),
        ]);
        // The CIDR rule's index as the kernel holds it (bpftool observes; BTF names the fields).
        int CidrIndex()
        {
            var dump = Steer.Lab.Runner.Run(["bpftool", "-j", "map", "dump", "pinned", Path.Combine(pins, "steer_cidr4")]).EnsureSuccess().Stdout;
            var entry = Assert.Single(System.Text.Json.JsonDocument.Parse(dump).RootElement.EnumerateArray());
            return entry.GetProperty("formatted").GetProperty("value").GetProperty("ifindex").GetInt32();
        }
        async Task<int> CidrIndexOnce(int wanted)
        {
            for (int i = 0; i < 100 && CidrIndex() != wanted; i++)
                await Task.Delay(20, TestContext.Current.CancellationToken);
            return CidrIndex();
        }
        using var names = host.Run(() => new NamePlane(rules, binding.Decisions, binding.CidrRules, TextWriter.Null));
        int IndexInLab() => host.Run(() => { using var netlink = NetlinkHandle.Open(); return netlink.GetLink("up1")?.Index ?? 0; });
        var address = IPAddress.Parse("192.0.2.10");
        int Decided()
        {
            Assert.Equal(1, names.Decide([Www], [new DnsChainAddress(Www, DnsAddress.FromIPAddress(address), 60u)]));
            Assert.True(binding.Decisions.TryGet(address, out var decision));
            return decision.InterfaceIndex;
        }
        async Task<int> DecidedOnce(Func<int, bool> settled)
        {
            // The link event arrives on the cache's own thread: give it a moment, no more.
            for (int i = 0; i < 100; i++)
            {
                int index = Decided();
                if (settled(index))
                    return index;
                await Task.Delay(20, TestContext.Current.CancellationToken);
            }
            return Decided();
        }

        int first = IndexInLab();
        Assert.Equal(first, Decided());
        Assert.Equal(first, Decided()); // from the cache now
        Assert.Equal(first, CidrIndex());

        host.Exec("ip", "link", "del", "up1").EnsureSuccess();
        Assert.Equal(NamePlane.Refuse, await DecidedOnce(i => i == NamePlane.Refuse));
        Assert.Equal(NamePlane.Refuse, await CidrIndexOnce(NamePlane.Refuse));

        host.Exec("ip", "link", "add", "up1", "type", "veth", "peer", "name", "up1-peer").EnsureSuccess();
        int second = IndexInLab();
        Assert.NotEqual(first, second);
        Assert.Equal(second, await DecidedOnce(i => i == second));
        Assert.Equal(second, Decided());
        Assert.Equal(second, await CidrIndexOnce(second));
    }
}
