using System.Buffers.Binary;
using System.Net;
using Steer.Dns;
using Steer.Linux.SocketPlane;

namespace Steer.Daemon;

/// <summary>
/// Address → the name it was last an answer for, until its decision expires (`steer rdns`, the
/// proxy's domain rules for intercepted flows, `steer decisions`). Written before every answer
/// the resolver sends, ruled or not, so its entries are structs in one array
/// (<see cref="AddressNameTable"/>), not objects: an object per address (a dictionary node, an
/// entry) lives as long as the answer's TTL, so every one the resolver made on its cold path was
/// promoted out of gen0 and copied twice by the GC, and those copies were the pauses that held
/// answers in flight. What an answer costs now is at most one string (its name, shared by all
/// its addresses, and only if one of them holds another name) and, rarely, a bigger array.
/// Noting an address that already holds the name allocates nothing: only its expiry moves.
/// Expired entries are removed by <see cref="Sweep"/> (the daemon's sweep timer), so the map
/// holds what is live and no more.
/// The addresses are spread over <see cref="ShardCount"/> tables, each with its own lock: a table
/// that grows copies its entries under its lock, and one table of 40,000 entries doubling held
/// every answer in flight for 50 ms at 5,000 queries/s (bench/resolver); a shard's growth moves
/// a sixty-fourth of that and holds up only the answers whose addresses fall in it.
/// </summary>
internal sealed class AddressNameMap
{
    /// <summary>Slots a sweep looks at per lock taken: tens of microseconds, so the resolver's
    /// writes wait no longer than that however big the table.</summary>
    private const int SweepSlotsPerLock = 4096;

    /// <summary>A power of two: the hash's top bits pick the shard, its low bits the slot.</summary>
    private const int ShardCount = 64;

    private sealed class Shard
    {
        public readonly Lock Gate = new();
        public readonly AddressNameTable Table = new();
    }

    private readonly Shard[] _shards = [.. Enumerable.Range(0, ShardCount).Select(_ => new Shard())];

    private Shard ShardOf(in AddressNameTable.Key key) =>
        _shards[(int)((uint)AddressNameTable.HashOf(key) >> (32 - System.Numerics.BitOperations.Log2(ShardCount)))];

    /// <summary>Entries held, expired ones not yet swept included.</summary>
    public int Count
    {
        get
        {
            int count = 0;
            foreach (var shard in _shards)
                lock (shard.Gate)
                    count += shard.Table.Count;
            return count;
        }
    }

    /// <summary>Each of an answer's addresses was an answer for <paramref name="name"/> until its
    /// TTL plus <paramref name="graceTicks"/> from <paramref name="nowTicks"/> (UTC ticks). The
    /// name becomes a string once for the whole answer, and not at all when every address already
    /// holds it (or when one does and can lend its string to the others).</summary>
    public void Note(ReadOnlySpan<char> name, ReadOnlySpan<DecisionTarget> addresses, long nowTicks, long graceTicks)
    {
        string? text = null;
        bool renamed = false;
        foreach (var address in addresses)
        {
            var key = KeyOf(address);
            var shard = ShardOf(key);
            bool refreshed;
            string? held;
            lock (shard.Gate)
                refreshed = shard.Table.TryRefresh(key, name, ExpiryOf(address, nowTicks, graceTicks), out held);
            if (refreshed)
                text ??= held;
            else
                renamed = true;
        }
        if (!renamed)
            return;
        text ??= name.ToString();
        foreach (var address in addresses)
        {
            var key = KeyOf(address);
            var shard = ShardOf(key);
            lock (shard.Gate)
                shard.Table.Set(key, text, ExpiryOf(address, nowTicks, graceTicks));
        }
    }

    /// <summary>The name the address was last an answer for, or null when none or expired.</summary>
    public string? NameOf(IPAddress address) => NameOf(address, DateTime.UtcNow.Ticks);

    public string? NameOf(IPAddress address, long nowTicks)
    {
        var value = DnsAddress.FromIPAddress(address);
        var key = new AddressNameTable.Key(value.Bits, value.IsIPv6);
        var shard = ShardOf(key);
        lock (shard.Gate)
            return shard.Table.TryGet(key, out var name, out long expires) && expires > nowTicks ? name : null;
    }

    /// <summary>Every live entry with its time left.</summary>
    public IReadOnlyList<(IPAddress Address, string Name, TimeSpan Remaining)> List() => List(DateTime.UtcNow.Ticks);

    public IReadOnlyList<(IPAddress Address, string Name, TimeSpan Remaining)> List(long nowTicks)
    {
        var live = new List<(AddressNameTable.Key Key, string Name, long ExpiresTicks)>();
        foreach (var shard in _shards)
            lock (shard.Gate)
                shard.Table.AddLiveTo(live, nowTicks);
        return [.. live.Select(e => (ToIPAddress(e.Key), e.Name, TimeSpan.FromTicks(e.ExpiresTicks - nowTicks)))];
    }

    /// <summary>Removes the entries expired at <paramref name="nowTicks"/>, a range of slots per
    /// lock taken; entries noted meanwhile are either seen or left for the next sweep.</summary>
    public void Sweep(long nowTicks)
    {
        foreach (var shard in _shards)
        {
            for (int next = 0; ;)
            {
                lock (shard.Gate)
                {
                    if (next >= shard.Table.Capacity)
                    {
                        shard.Table.TrimIfSparse();
                        break;
                    }
                    next = shard.Table.SweepFrom(next, SweepSlotsPerLock, nowTicks);
                }
            }
        }
    }

    private static AddressNameTable.Key KeyOf(in DecisionTarget address) => new(address.Bits, address.IsIPv6);

    private static long ExpiryOf(in DecisionTarget address, long nowTicks, long graceTicks) =>
        nowTicks + address.TtlSeconds * TimeSpan.TicksPerSecond + graceTicks;

    private static IPAddress ToIPAddress(AddressNameTable.Key key)
    {
        Span<byte> bytes = stackalloc byte[16];
        if (!key.IsIPv6)
        {
            BinaryPrimitives.WriteUInt32BigEndian(bytes, (uint)key.Bits);
            return new IPAddress(bytes[..4]);
        }
        BinaryPrimitives.WriteUInt128BigEndian(bytes, key.Bits);
        return new IPAddress(bytes);
    }
}
