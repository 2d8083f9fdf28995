using FsCheck;
using FsCheck.Fluent;
using Steer.Dns;

namespace Steer.Resolver.Tests;

/// <summary>
/// Random and mutated queries sent over a real socket to a running resolver, whose upstream (a fake
/// on loopback) answers each one correctly, not at all, with a mutation of the right answer, or with
/// random bytes. Whatever arrives, the resolver answers with a well-formed message carrying the
/// query's ID, or stays silent exactly when there is nothing to answer to (no ID, or the message is
/// itself a response); it counts every query, and keeps serving.
/// </summary>
public sealed class ResolverPropertyTests
{
    public enum UpstreamMode { Correct, Silent, Mutated, Random }

    private static readonly string[] Names = ["www.example.test", "a.b.example.test", "x.via-lo.test", "r.refused.test", "Mixed.Case.Test", "."];

    private static readonly Gen<byte[]> ValidQuery =
        from name in Gen.Elements(Names)
        from type in Gen.Elements(DnsType.A, DnsType.AAAA, DnsType.CNAME, (DnsType)65)
        from id in Gen.Choose(0, 65535)
        from edns in Gen.Elements(true, false)
        select Query(name, (ushort)id, type, edns);

    private static readonly Gen<byte[]> AnyQuery = Gen.Frequency(
        (3, ValidQuery),
        (4, from q in ValidQuery from seed in Gen.Choose(0, int.MaxValue) select Mutator.Mutate(q, seed)),
        (1, Gen.Choose(0, int.MaxValue).Select(Mutator.RandomBytes)));

    private static byte[] Query(string name, ushort id, DnsType type, bool edns)
    {
        var buffer = new byte[512];
        DnsQueries.TryWrite(buffer, id, DnsName.Parse(name), type, edns ? new DnsEdns() : null, out int written);
        return buffer[..written];
    }

    [Fact]
    public void Whatever_comes_from_clients_and_upstreams_it_answers_or_drops_counts_and_keeps_serving()
    {
        var options = new ResolverOptions { UpstreamTimeout = TimeSpan.FromMilliseconds(60), UdpWorkers = 2 };
        using var h = new Harness(options: options);
        int sent = 0;
        var cases = from query in AnyQuery
                    from mode in Gen.Elements(Enum.GetValues<UpstreamMode>())
                    from seed in Gen.Choose(0, int.MaxValue)
                    select (query, mode, seed);
        Check.One(Config.QuickThrowOnFailure.WithMaxTest(250), Prop.ForAll(cases.ToArbitrary(), c =>
        {
            var (query, mode, seed) = c;
            h.Upstreams[0].Respond = mode switch
            {
                UpstreamMode.Correct => FakeUpstream.Answer,
                UpstreamMode.Silent => _ => null,
                UpstreamMode.Mutated => q => Mutator.Mutate(FakeUpstream.Answer(q), seed),
                _ => _ => Mutator.RandomBytes(seed),
            };
            sent++;
            var response = h.Ask(query, timeoutMs: 1000);
            bool answerable = query.Length >= 2 && !(query.Length >= 3 && (query[2] & 0x80) != 0);
            if (!answerable)
                return response is null;
            if (response is null || response.Length < 12)
                return false;
            // FORMERR to unparsable bytes is a bare header; anything else parses in full.
            bool parses = DnsMessageView.TryParse(response, out var view, out _);
            return response[0] == query[0] && response[1] == query[1] && (response[2] & 0x80) != 0
                && (parses || (response[3] & 0x0F) == (int)DnsRcode.FormErr);
        }));

        h.Upstreams[0].Respond = FakeUpstream.Answer;
        var probe = DnsMessageView.Parse(h.Ask(Harness.Query("still-serving.example.test"))!);
        Assert.Equal(1, probe.AnswerCount);
        Assert.Equal(sent + 1, h.Resolver.Stats.Queries);
        Assert.DoesNotContain("internal error", h.Log, StringComparison.Ordinal);
    }
}
