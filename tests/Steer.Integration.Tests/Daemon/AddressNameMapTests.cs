using System.Net;
using Steer.Daemon;
using Steer.Dns;
using Steer.Linux.SocketPlane;
using Xunit;

namespace Steer.Integration.Tests.Daemon;

/// <summary>
/// The address → name map behind `steer rdns` and the proxy's domain rules: what it answers,
/// that refreshing a name allocates nothing and an answer makes at most one string, that the
/// sweep removes what expired (the map used to keep every address ever answered), and that it
/// holds up to the resolver's threads writing while others read and the timer sweeps.
/// </summary>
public sealed class AddressNameMapTests
{
    private static readonly long Now = new DateTime(2026, 12, 2, 12, 0, 0, DateTimeKind.Utc).Ticks;
    private static readonly long Grace = TimeSpan.FromSeconds(30).Ticks;

    [Fact]
    public void A_noted_address_has_its_name_until_its_ttl_and_grace_run_out()
    {
        var map = new AddressNameMap();
        map.Note("www.example.test", [V4(1, ttl: 60), V6(1, ttl: 120)], Now, Grace);

        Assert.Equal("www.example.test", map.NameOf(IPAddress.Parse("198.18.0.1"), Now));
        Assert.Equal("www.example.test", map.NameOf(IPAddress.Parse("2001:db8::1"), Now));
        Assert.Null(map.NameOf(IPAddress.Parse("198.18.0.2"), Now));
        Assert.Equal("www.example.test", map.NameOf(IPAddress.Parse("198.18.0.1"), Now + Seconds(89)));
        Assert.Null(map.NameOf(IPAddress.Parse("198.18.0.1"), Now + Seconds(90)));
        Assert.Equal("www.example.test", map.NameOf(IPAddress.Parse("2001:db8::1"), Now + Seconds(90)));

        var listed = map.List(Now).OrderBy(e => e.Remaining).ToList();
        Assert.Equal([(IPAddress.Parse("198.18.0.1"), "www.example.test", TimeSpan.FromSeconds(90)),
                      (IPAddress.Parse("2001:db8::1"), "www.example.test", TimeSpan.FromSeconds(150))], listed);
    }

    [Fact]
    public void An_address_and_its_ipv4_mapped_twin_are_different_keys_only_by_family()
    {
        var map = new AddressNameMap();
        map.Note("v4.test", [new DecisionTarget(0xC6120001, false, 60)], Now, Grace);
        map.Note("v6.test", [new DecisionTarget(0xC6120001, true, 60)], Now, Grace);

        Assert.Equal("v4.test", map.NameOf(IPAddress.Parse("198.18.0.1"), Now));
        Assert.Equal("v6.test", map.NameOf(IPAddress.Parse("::c612:1"), Now));
    }

    [Fact]
    public void Noting_the_same_name_again_moves_the_expiry_and_allocates_nothing()
    {
        var map = new AddressNameMap();
        DecisionTarget[] answer = [V4(1, ttl: 60), V4(2, ttl: 60), V6(3, ttl: 60)];
        map.Note("www.example.test", answer, Now, Grace);
        var held = map.NameOf(IPAddress.Parse("198.18.0.1"), Now);
        DecisionTarget[] longer = [V4(1, ttl: 600), V4(2, ttl: 600), V6(3, ttl: 600)];

        long before = GC.GetAllocatedBytesForCurrentThread();
        for (int i = 0; i < 100; i++)
            map.Note("www.example.test", longer, Now, Grace);
        long allocated = GC.GetAllocatedBytesForCurrentThread() - before;

        Assert.Equal(0, allocated);
        Assert.Same(held, map.NameOf(IPAddress.Parse("198.18.0.1"), Now + Seconds(629)));
        Assert.Null(map.NameOf(IPAddress.Parse("198.18.0.1"), Now + Seconds(630)));
        Assert.Equal(3, map.Count);
    }

    [Fact]
    public void A_new_name_replaces_the_old_one()
    {
        var map = new AddressNameMap();
        map.Note("old.example.test", [V4(1, ttl: 600)], Now, Grace);
        map.Note("new.example.test", [V4(1, ttl: 60)], Now, Grace);

        Assert.Equal("new.example.test", map.NameOf(IPAddress.Parse("198.18.0.1"), Now));
        Assert.Null(map.NameOf(IPAddress.Parse("198.18.0.1"), Now + Seconds(90))); // the new TTL, not the old one
        Assert.Equal(1, map.Count);
    }

    [Fact]
    public void An_answer_makes_one_string_for_all_its_addresses_or_borrows_one_they_hold()
    {
        var map = new AddressNameMap();
        map.Note("cdn.example.test", [V4(1, ttl: 60), V4(2, ttl: 60), V6(3, ttl: 60)], Now, Grace);
        var first = map.NameOf(IPAddress.Parse("198.18.0.1"), Now);
        Assert.Same(first, map.NameOf(IPAddress.Parse("198.18.0.2"), Now));
        Assert.Same(first, map.NameOf(IPAddress.Parse("2001:db8::3"), Now));

        // The CDN rotates: a new address beside one that already holds the name takes its string.
        map.Note("cdn.example.test", [V4(4, ttl: 60), V4(1, ttl: 60)], Now, Grace);
        Assert.Same(first, map.NameOf(IPAddress.Parse("198.18.0.4"), Now));
    }

    [Fact]
    public void The_sweep_removes_what_expired_and_keeps_what_lives()
    {
        var map = new AddressNameMap();
        map.Note("short.test", [V4(1, ttl: 10), V4(2, ttl: 10)], Now, Grace);
        map.Note("long.test", [V6(1, ttl: 3600)], Now, Grace);

        map.Sweep(Now + Seconds(39));
        Assert.Equal(3, map.Count);

        Assert.Null(map.NameOf(IPAddress.Parse("198.18.0.1"), Now + Seconds(40))); // expired, not yet swept
        map.Sweep(Now + Seconds(40));
        Assert.Equal(1, map.Count);
        Assert.Null(map.NameOf(IPAddress.Parse("198.18.0.1"), Now));
        Assert.Equal("long.test", map.NameOf(IPAddress.Parse("2001:db8::1"), Now + Seconds(40)));
        Assert.Equal([(IPAddress.Parse("2001:db8::1"), "long.test", TimeSpan.FromSeconds(3590))], map.List(Now + Seconds(40)));
    }

    [Fact]
    public void NameOf_is_null_once_the_entry_expired_in_real_time()
    {
        var map = new AddressNameMap();
        long past = DateTime.UtcNow.Ticks - Seconds(3600);
        map.Note("gone.test", [V4(1, ttl: 60)], past, Grace);
        map.Note("here.test", [V4(2, ttl: 60)], DateTime.UtcNow.Ticks, Grace);

        Assert.Null(map.NameOf(IPAddress.Parse("198.18.0.1")));
        Assert.Equal("here.test", map.NameOf(IPAddress.Parse("198.18.0.2")));
        Assert.Equal([IPAddress.Parse("198.18.0.2")], map.List().Select(e => e.Address));
    }

    [Fact]
    public void A_big_map_swept_in_ranges_keeps_exactly_the_live_entries()
    {
        var map = new AddressNameMap();
        const int Addresses = 100_000;
        for (int i = 0; i < Addresses; i++)
            map.Note($"n{i % 1000}.test", [V4(i, ttl: (uint)(i % 2 == 0 ? 10 : 1000))], Now, 0);
        Assert.Equal(Addresses, map.Count);

        map.Sweep(Now + Seconds(10));
        Assert.Equal(Addresses / 2, map.Count);
        for (int i = 0; i < Addresses; i++)
            Assert.Equal(i % 2 == 0 ? null : $"n{i % 1000}.test", map.NameOf(Address(V4(i, 0)), Now));

        map.Sweep(Now + Seconds(1000));
        Assert.Equal(0, map.Count);
        Assert.Empty(map.List(Now));
    }

    [Fact]
    public void A_table_a_burst_grew_gives_its_room_back_once_swept()
    {
        var table = new AddressNameTable();
        for (int i = 0; i < 10_000; i++)
            table.Set(new AddressNameTable.Key((UInt128)i, false), "burst.test", i < 9_990 ? 10 : 20);
        Assert.True(table.Capacity >= 16_384);

        for (int next = 0; next < table.Capacity;)
            next = table.SweepFrom(next, 4096, 10);
        table.TrimIfSparse();

        Assert.Equal(10, table.Count);
        Assert.Equal(AddressNameTable.MinCapacity, table.Capacity);
        Assert.True(table.TryGet(new AddressNameTable.Key(9_995, false), out var name, out long expires));
        Assert.Equal(("burst.test", 20), (name, expires));
    }

    /// <summary>The table against a Dictionary, through random sets and sweeps on a small table
    /// (clusters that wrap around its end, deletions that shift entries back, growth and trim).</summary>
    [Fact]
    public void The_table_agrees_with_a_dictionary_through_random_sets_and_sweeps()
    {
        var random = new Random(20261202);
        var table = new AddressNameTable();
        var model = new Dictionary<AddressNameTable.Key, (string Name, long Expires)>();
        string[] names = ["a", "b", "c", "d"];
        for (int step = 0; step < 200_000; step++)
        {
            var key = new AddressNameTable.Key((UInt128)random.Next(600), random.Next(2) == 1);
            int op = random.Next(100);
            if (op < 60)
            {
                var name = names[random.Next(names.Length)];
                long expires = random.Next(1, 1000);
                if (table.TryRefresh(key, name, expires, out var held))
                {
                    Assert.Equal(model[key].Name, held);
                    model[key] = (held, expires);
                }
                else
                {
                    Assert.False(model.TryGetValue(key, out var old) && old.Name == name);
                    table.Set(key, name, expires);
                    model[key] = (name, expires);
                }
            }
            else if (op < 62)
            {
                long now = random.Next(1000);
                for (int next = 0; next < table.Capacity;)
                    next = table.SweepFrom(next, random.Next(1, 300), now);
                table.TrimIfSparse();
                foreach (var gone in model.Where(e => e.Value.Expires <= now).Select(e => e.Key).ToList())
                    model.Remove(gone);
            }
            else
            {
                Assert.Equal(model.TryGetValue(key, out var expected), table.TryGet(key, out var name, out long expires));
                Assert.Equal(expected.Name, name);
                Assert.Equal(expected.Expires, expires);
            }
            Assert.Equal(model.Count, table.Count);
        }
    }

    /// <summary>Writers (the resolver's threads) note their own addresses round after round, some
    /// of them already expired so that the sweeper removes entries beside them; readers look up
    /// everything. Nothing throws, a reader never sees another writer's name on an address, and
    /// at the end every address has the last name its writer gave it.</summary>
    [Fact]
    public async Task Concurrent_notes_lookups_and_sweeps_keep_the_latest_name()
    {
        var map = new AddressNameMap();
        const int Writers = 4, PerWriter = 3000, Rounds = 40;
        long now = DateTime.UtcNow.Ticks;
        using var stop = new CancellationTokenSource();
        var writers = Enumerable.Range(0, Writers).Select(w => Task.Run(() =>
        {
            for (int round = 0; round < Rounds; round++)
            {
                var name = $"w{w}-r{round}.test";
                for (int i = 0; i < PerWriter; i++)
                {
                    map.Note(name, [V4(w * PerWriter + i, ttl: 3600)], now, 0);
                    map.Note("expired.test", [V6(w * PerWriter + i + round * 100_000, ttl: 1)], now - Seconds(10), 0);
                }
            }
        })).ToArray();
        var readers = Enumerable.Range(0, 2).Select(r => Task.Run(() =>
        {
            var random = new Random(r);
            int lookups = 0;
            do
            {
                int index = random.Next(Writers * PerWriter);
                if (map.NameOf(Address(V4(index, 0)), now) is { } name)
                    Assert.StartsWith($"w{index / PerWriter}-r", name, StringComparison.Ordinal);
                if (++lookups % 1000 == 0)
                    Assert.All(map.List(now), e => Assert.NotEqual("expired.test", e.Name)); // a listing walks the table meanwhile
            }
            while (!stop.IsCancellationRequested);
        })).ToArray();
        var sweeper = Task.Run(() =>
        {
            while (!stop.IsCancellationRequested)
                map.Sweep(now);
        });

        await Task.WhenAll(writers);
        await stop.CancelAsync();
        await Task.WhenAll([.. readers, sweeper]);

        map.Sweep(now);
        Assert.Equal(Writers * PerWriter, map.Count);
        for (int index = 0; index < Writers * PerWriter; index++)
            Assert.Equal($"w{index / PerWriter}-r{Rounds - 1}.test", map.NameOf(Address(V4(index, 0)), now));
    }

    private static long Seconds(int seconds) => TimeSpan.FromSeconds(seconds).Ticks;

    /// <summary>198.18.0.0/15 (benchmarking addresses), offset by <paramref name="index"/>.</summary>
    private static DecisionTarget V4(int index, uint ttl) => new(0xC6120000u + (uint)index, false, ttl);

    /// <summary>2001:db8::/32, offset by <paramref name="index"/>.</summary>
    private static DecisionTarget V6(int index, uint ttl) =>
        new(((UInt128)0x20010db8u << 96) + (uint)index, true, ttl);

    private static IPAddress Address(DecisionTarget target)
    {
        var bytes = new byte[target.IsIPv6 ? 16 : 4];
        if (target.IsIPv6)
            System.Buffers.Binary.BinaryPrimitives.WriteUInt128BigEndian(bytes, target.Bits);
        else
            System.Buffers.Binary.BinaryPrimitives.WriteUInt32BigEndian(bytes, (uint)target.Bits);
        return new IPAddress(bytes);
    }
}
