using System.Buffers.Binary;
using System.Collections.Concurrent;
using System.Net;
using Steer.Dns;
using Steer.Linux.SocketPlane;

namespace Steer.Daemon;

/// <summary>
/// Address → the name it was last an answer for, until its decision expires (`steer rdns`, the
/// proxy's domain rules for intercepted flows, `steer decisions`). Written before every answer the
/// resolver sends, so noting an address again allocates nothing: the key is the address as a
/// value, an entry whose name is unchanged only has its expiry moved, and a changed or new entry
/// takes its name from a table of names already seen (looked up by the span, not a new string).
/// </summary>
internal sealed class AddressNameMap
{
    /// <summary>Names kept for sharing before the table starts over (it only saves strings).</summary>
    private const int MaxShared = 65_536;

    private readonly record struct Key(UInt128 Bits, bool IsIPv6);

    /// <summary>Mutable in place: a ConcurrentDictionary value that is a struct of two fields would
    /// be replaced by a new node on every write.</summary>
    private sealed class Entry(string name, long expiresTicks)
    {
        public readonly string Name = name;
        public long ExpiresTicks = expiresTicks;
    }

    private readonly ConcurrentDictionary<Key, Entry> _entries = new();
    private readonly ConcurrentDictionary<string, string> _shared = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, string>.AlternateLookup<ReadOnlySpan<char>> _sharedBySpan;
    private int _sharedCount;

    public AddressNameMap() => _sharedBySpan = _shared.GetAlternateLookup<ReadOnlySpan<char>>();

    /// <summary>The address was an answer for <paramref name="name"/> until <paramref name="expiresTicks"/> (UTC ticks).</summary>
    public void Note(in DecisionTarget address, ReadOnlySpan<char> name, long expiresTicks)
    {
        var key = new Key(address.Bits, address.IsIPv6);
        if (_entries.TryGetValue(key, out var entry) && name.SequenceEqual(entry.Name))
        {
            Volatile.Write(ref entry.ExpiresTicks, expiresTicks);
            return;
        }
        _entries[key] = new Entry(Share(name), expiresTicks);
    }

    public string? NameOf(IPAddress address)
    {
        var value = DnsAddress.FromIPAddress(address);
        return _entries.TryGetValue(new Key(value.Bits, value.IsIPv6), out var entry) && Volatile.Read(ref entry.ExpiresTicks) > DateTime.UtcNow.Ticks
            ? entry.Name
            : null;
    }

    /// <summary>Every live entry with its time left; expired ones are dropped as they are read.</summary>
    public IReadOnlyList<(IPAddress Address, string Name, TimeSpan Remaining)> List()
    {
        long now = DateTime.UtcNow.Ticks;
        var list = new List<(IPAddress, string, TimeSpan)>();
        foreach (var (key, entry) in _entries)
        {
            long expires = Volatile.Read(ref entry.ExpiresTicks);
            if (expires <= now)
                _entries.TryRemove(new KeyValuePair<Key, Entry>(key, entry)); // not one noted meanwhile
            else
                list.Add((ToIPAddress(key), entry.Name, TimeSpan.FromTicks(expires - now)));
        }
        return list;
    }

    private string Share(ReadOnlySpan<char> name)
    {
        if (_sharedBySpan.TryGetValue(name, out var known))
            return known;
        if (Interlocked.Increment(ref _sharedCount) > MaxShared)
        {
            _shared.Clear();
            Volatile.Write(ref _sharedCount, 1);
        }
        var text = name.ToString();
        return _shared.GetOrAdd(text, text);
    }

    private static IPAddress ToIPAddress(Key key)
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
