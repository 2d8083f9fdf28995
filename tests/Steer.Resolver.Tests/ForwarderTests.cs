using System.Net;
using System.Runtime.CompilerServices;
using Steer.Dns;
using Steer.Policy.Configuration;
using Steer.Resolver.Clients;
using Steer.Resolver.Upstreams;

namespace Steer.Resolver.Tests;

public sealed class ForwarderTests
{
    private sealed class NoSink : ClientSink
    {
        public override bool IsUdp => true;

        public override void Send(ReadOnlySpan<byte> response) { }
    }

    /// <summary>Counts answers; keeps no query.</summary>
    private sealed class CountingFinisher : IAnswerFinisher
    {
        public int Finished;

        public void Finish(PendingQuery query, Span<byte> answer, Span<byte> scratch) => Interlocked.Increment(ref Finished);

        public void Fail(PendingQuery query) { }
    }

    /// <summary>Everything a forwarded query allocates is garbage once it is answered; its
    /// timeout item, due much later, must not hold it (it would outlive gen0 GCs and be copied).</summary>
    [Fact]
    public void An_answered_query_is_not_kept_alive_until_its_timeout()
    {
        using var upstream = new FakeUpstream();
        var settings = new DnsSettings(new Endpoint(IPAddress.Loopback, 53),
            new[] { new DnsUpstream(new Endpoint(IPAddress.Loopback, upstream.EndPoint.Port), null) }.ToEquatableArray());
        using var forwarder = new Forwarder(settings, new ResolverOptions { UpstreamTimeout = TimeSpan.FromSeconds(30) }, new ResolverCounters(), TextWriter.Null);
        var finisher = new CountingFinisher();
        forwarder.Finisher = finisher;

        var query = Start(forwarder);
        var deadline = Environment.TickCount64 + 5000;
        while (Volatile.Read(ref finisher.Finished) == 0 && Environment.TickCount64 < deadline)
            Thread.Sleep(5);
        Assert.Equal(1, Volatile.Read(ref finisher.Finished));
        // The receive thread may still be returning from Finish with the query on its stack: a few tries.
        while (query.IsAlive && Environment.TickCount64 < deadline)
        {
            GC.Collect();
            GC.WaitForPendingFinalizers();
            Thread.Sleep(10);
        }
        Assert.False(query.IsAlive, "the answered query is still reachable");
    }

    [MethodImpl(MethodImplOptions.NoInlining)] // no reference to the query left in the test's frame
    private static WeakReference Start(Forwarder forwarder)
    {
        var bytes = Harness.Query("www.example.test");
        var group = forwarder.GroupFor(null)!;
        var pending = new PendingQuery(bytes, 0x1234, null, 0, DnsMessageView.Parse(bytes).QuestionSectionEnd, 512,
            new NoSink(), DnsName.Parse("www.example.test"), new object(), group);
        forwarder.Start(pending);
        return new WeakReference(pending);
    }
}
