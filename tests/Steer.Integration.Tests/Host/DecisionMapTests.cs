using System.Diagnostics;
using System.Net;
using Steer.Linux.Native;
using Steer.Linux.SocketPlane;
using Xunit;

namespace Steer.Integration.Tests.Host;

/// <summary>
/// The decision map as the resolver and the sweeper use it, on a host plane attached to an empty
/// throw-away cgroup (no lab needed: no socket ever meets these programs).
/// </summary>
public sealed class DecisionMapTests : IDisposable
{
    private readonly ThrowAwayHostPlane? plane = Steer.Lab.Lab.SkipReason is null ? new("host-map-test", capacity: 200_000) : null;

    public void Dispose() => plane?.Dispose();

    private DecisionMap Decisions
    {
        get
        {
            if (Steer.Lab.Lab.SkipReason is { } reason)
                Assert.Skip(reason);
            return plane!.Binding.Decisions;
        }
    }

    [Fact]
    public void Set_costs_far_less_than_50_microseconds_at_p99_and_allocates_nothing()
    {
        var decisions = Decisions;
        const int count = 100_000;
        var addresses = new IPAddress[count];
        for (int i = 0; i < count; i++)
            addresses[i] = i % 2 == 0 ? new IPAddress((uint)i + 0x0100000a) : IPAddress.Parse($"fd00:77::{i >> 16:x}:{i & 0xffff:x}");
        var ttl = TimeSpan.FromMinutes(5);
        for (int i = 0; i < 1000; i++) // warm up: JIT, first map pages
            decisions.Set(addresses[i], 1, 1, ttl);

        // First new addresses (the kernel allocates an entry), then the same ones again (it
        // replaces one): an answer for a name asked before rewrites the same addresses.
        foreach (var pass in new[] { "new", "rewritten" })
        {
            var ticks = new long[count];
            long allocated = GC.GetAllocatedBytesForCurrentThread();
            for (int i = 0; i < count; i++)
            {
                long start = Stopwatch.GetTimestamp();
                decisions.Set(addresses[i], 1 + (i & 3), (uint)i, ttl);
                ticks[i] = Stopwatch.GetTimestamp() - start;
            }
            allocated = GC.GetAllocatedBytesForCurrentThread() - allocated;

            Array.Sort(ticks);
            double Micro(double quantile) => ticks[(int)(quantile * (count - 1))] * 1e6 / Stopwatch.Frequency;
            TestContext.Current.TestOutputHelper?.WriteLine(
                $"DecisionMap.Set, {count} {pass} addresses (half IPv6): p50 {Micro(0.5):0.00} µs, p99 {Micro(0.99):0.00} µs, p99.9 {Micro(0.999):0.00} µs, max {Micro(1):0.0} µs; {allocated} bytes allocated");
            Assert.Equal(0, allocated);
            Assert.True(Micro(0.99) < 50, $"{pass}: p99 {Micro(0.99):0.00} µs");
        }
        Assert.Equal(count, decisions.Count);
    }

    [Fact]
    public void SetAll_writes_an_answers_addresses_of_both_families_in_batches_without_allocating()
    {
        var decisions = Decisions;
        var answer = new List<(IPAddress, uint)>();
        for (int i = 0; i < 150; i++) // more than one batch of 64 per family
            answer.Add(i % 3 == 2 ? (IPAddress.Parse($"2001:db8::{i:x}"), (uint)(60 + i)) : (new IPAddress((uint)i + 0x070000c6), (uint)(60 + i)));
        answer.Add((IPAddress.Parse("::ffff:192.0.2.200"), 5));
        decisions.SetAll(answer, 7, 9, TimeSpan.FromSeconds(30)); // warm up
        long allocated = GC.GetAllocatedBytesForCurrentThread();
        decisions.SetAll(answer, 7, 9, TimeSpan.FromSeconds(30));
        Assert.Equal(0, GC.GetAllocatedBytesForCurrentThread() - allocated);

        Assert.Equal(answer.Count, decisions.Count);
        foreach (var (address, ttl) in answer)
        {
            Assert.True(decisions.TryGet(address.IsIPv4MappedToIPv6 ? address.MapToIPv4() : address, out var decision), $"{address}");
            Assert.Equal((7, 9u), (decision.InterfaceIndex, decision.Rule));
            Assert.InRange(decision.Remaining!.Value.TotalSeconds, ttl + 29, ttl + 30);
        }
        Assert.Throws<ArgumentOutOfRangeException>(() => decisions.SetAll(answer, 0, 9, TimeSpan.Zero));
    }

    [Fact]
    public void A_full_map_refuses_with_the_setting_to_raise_and_keeps_what_it_holds()
    {
        if (Steer.Lab.Lab.SkipReason is { } reason)
            Assert.Skip(reason);
        using var small = new ThrowAwayHostPlane("host-map-full-test", capacity: 1024);
        var decisions = small.Binding.Decisions;
        Assert.Equal(1024u, decisions.Capacity);
        var room = Enumerable.Range(0, 1024).Select(i => (new IPAddress((uint)i + 0x0200000a), 60u)).ToList();
        decisions.SetAll(room, 1, 1, TimeSpan.Zero);
        var full = Assert.Throws<DecisionMapFullException>(() => decisions.SetAll([(IPAddress.Parse("192.0.2.1"), 60u)], 1, 1, TimeSpan.Zero));
        Assert.Contains("dns.max-decisions", full.Message, StringComparison.Ordinal);
        Assert.Contains("1,024", full.Message, StringComparison.Ordinal);
        Assert.Throws<DecisionMapFullException>(() => decisions.Set(IPAddress.Parse("192.0.2.1"), 1, 1, null));
        // What is there stays, can be rewritten, and the other family still has room.
        decisions.SetAll(room, 2, 2, TimeSpan.Zero);
        Assert.True(decisions.TryGet(room[0].Item1, out var rewritten));
        Assert.Equal(2, rewritten.InterfaceIndex);
        decisions.Set(IPAddress.Parse("2001:db8::1"), 1, 1, null);
        Assert.Equal(1025, decisions.Count);
    }

    [Fact]
    public void IPv4_mapped_addresses_are_IPv4_decisions()
    {
        var decisions = Decisions;
        decisions.Set(IPAddress.Parse("::ffff:192.0.2.7"), 3, 4, TimeSpan.FromMinutes(1));
        Assert.True(decisions.TryGet(IPAddress.Parse("192.0.2.7"), out var decision));
        Assert.Equal((IPAddress.Parse("192.0.2.7"), 3, 4u), (decision.Address, decision.InterfaceIndex, decision.Rule));
        Assert.True(decisions.Remove(IPAddress.Parse("::ffff:192.0.2.7")));
        Assert.Equal(0, decisions.Count);
    }

    [Fact]
    public void Sweep_removes_exactly_the_decisions_expired_at_the_time_given()
    {
        var decisions = Decisions;
        decisions.Set(IPAddress.Parse("192.0.2.1"), 2, 1, TimeSpan.FromSeconds(10));
        decisions.Set(IPAddress.Parse("2001:db8::1"), 2, 1, TimeSpan.FromSeconds(10));
        decisions.Set(IPAddress.Parse("192.0.2.2"), 2, 1, TimeSpan.FromHours(1));
        decisions.Set(IPAddress.Parse("192.0.2.3"), 2, 1, ttl: null);
        decisions.Set(IPAddress.Parse("192.0.2.4"), 2, 1, TimeSpan.MaxValue); // saturates: never wraps into the past

        Assert.Equal(0, decisions.Sweep());
        Assert.Equal(2, decisions.Sweep(BootClock.NowNanoseconds + (ulong)TimeSpan.FromMinutes(1).Ticks * 100));
        Assert.Equal(
            ["192.0.2.2", "192.0.2.3", "192.0.2.4"],
            decisions.Snapshot().Select(d => d.Address.ToString()).Order(StringComparer.Ordinal));
        Assert.Null(decisions.Snapshot().Single(d => d.Address.ToString() == "192.0.2.3").Remaining);
    }

    [Fact]
    public void Bad_input_is_refused_and_changes_nothing()
    {
        var decisions = Decisions;
        Assert.Throws<ArgumentOutOfRangeException>(() => decisions.Set(IPAddress.Parse("192.0.2.1"), 0, 1, null));
        Assert.Throws<ArgumentOutOfRangeException>(() => decisions.Set(IPAddress.Parse("192.0.2.1"), -1, 1, null));
        Assert.Throws<ArgumentNullException>(() => decisions.Set(null!, 1, 1, null));
        Assert.Equal(0, decisions.Count);
    }
}
