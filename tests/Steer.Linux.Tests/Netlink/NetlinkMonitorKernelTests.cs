using System.Net;
using System.Threading.Channels;
using Steer.Linux.Netlink;
using Xunit;

namespace Steer.Linux.Tests.Netlink;

/// <summary>The monitor against the real kernel: each change must arrive within a second.</summary>
public sealed class NetlinkMonitorKernelTests
{
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(1);

    [Fact]
    public async Task Link_added_down_up_deleted_and_addresses_arrive_as_typed_events()
    {
        using var ns = TestNamespace.Create();
        using var monitor = NetlinkMonitor.OpenAt(ns.Path);
        var events = Channel.CreateUnbounded<NetlinkEvent>();
        var pump = Task.Run(async () =>
        {
            await foreach (var e in monitor.ReadEventsAsync(TestContext.Current.CancellationToken))
                await events.Writer.WriteAsync(e);
            events.Writer.Complete();
        });

        ns.Ip("link", "add", "va", "type", "veth", "peer", "name", "vb");
        var added = await Expect<LinkEvent>(events, e => e.Link.Name == "va" && e.Change == LinkChange.Added);
        Assert.Equal(ns.IndexOf("va"), added.Link.Index);

        ns.Ip("link", "set", "va", "up");
        await Expect<LinkEvent>(events, e => e.Link.Name == "va" && e.Change == LinkChange.Changed && e.Link.IsUp);

        ns.Ip("addr", "add", "10.78.0.1/24", "dev", "va");
        ns.Ip("addr", "add", "fd78::1/64", "dev", "va", "nodad");
        await Expect<AddressEvent>(events, e => e.Change == AddressChange.Added && e.Address.Address.Equals(IPAddress.Parse("10.78.0.1")));
        await Expect<AddressEvent>(events, e => e.Change == AddressChange.Added && e.Address.Address.Equals(IPAddress.Parse("fd78::1")));

        ns.Ip("addr", "del", "10.78.0.1/24", "dev", "va");
        await Expect<AddressEvent>(events, e => e.Change == AddressChange.Removed && e.Address.Address.Equals(IPAddress.Parse("10.78.0.1")));

        ns.Ip("link", "set", "va", "down");
        await Expect<LinkEvent>(events, e => e.Link.Name == "va" && e.Change == LinkChange.Changed && !e.Link.IsUp);

        ns.Ip("link", "set", "va", "up");
        await Expect<LinkEvent>(events, e => e.Link.Name == "va" && e.Change == LinkChange.Changed && e.Link.IsUp);

        ns.Ip("link", "del", "va");
        await Expect<LinkEvent>(events, e => e.Link.Name == "va" && e.Change == LinkChange.Deleted);

        // Disposing ends the enumeration cleanly, without an exception.
        monitor.Dispose();
        await pump.WaitAsync(Deadline, TestContext.Current.CancellationToken);
    }

    [Fact]
    public async Task Cancelling_the_reader_throws_OperationCanceled()
    {
        using var ns = TestNamespace.Create();
        using var monitor = NetlinkMonitor.OpenAt(ns.Path, NetlinkGroups.Links);
        using var cancel = new CancellationTokenSource(TimeSpan.FromMilliseconds(100));

        await Assert.ThrowsAnyAsync<OperationCanceledException>(async () =>
        {
            await foreach (var _ in monitor.ReadEventsAsync(cancel.Token)) { }
        });
    }

    [Fact]
    public async Task Reading_after_dispose_ends_at_once()
    {
        var monitor = NetlinkMonitor.Open(NetlinkGroups.Links);
        monitor.Dispose();
        var read = Task.Run(async () =>
        {
            await foreach (var _ in monitor.ReadEventsAsync()) { }
        });
        await read.WaitAsync(Deadline, TestContext.Current.CancellationToken);
    }

    /// <summary>Reads events until one of type <typeparamref name="T"/> matches, failing after a second.</summary>
    private static async Task<T> Expect<T>(Channel<NetlinkEvent> events, Func<T, bool> match) where T : NetlinkEvent
    {
        using var timeout = new CancellationTokenSource(Deadline);
        var seen = new List<NetlinkEvent>();
        try
        {
            while (true)
            {
                var e = await events.Reader.ReadAsync(timeout.Token);
                if (e is T t && match(t))
                    return t;
                seen.Add(e);
            }
        }
        catch (OperationCanceledException)
        {
            Assert.Fail($"no matching {typeof(T).Name} within {Deadline.TotalSeconds}s; saw:{Environment.NewLine}{string.Join(Environment.NewLine, seen)}");
            throw;
        }
    }
}
