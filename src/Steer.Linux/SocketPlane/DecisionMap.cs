using System.Buffers.Binary;
using System.Net;
using System.Net.Sockets;
using Steer.Linux.Bpf;
using Steer.Linux.Native;

namespace Steer.Linux.SocketPlane;

/// <summary>One decision as listed: the address, the interface, the rule, and the time left.</summary>
public sealed record Decision(IPAddress Address, int InterfaceIndex, uint Rule, TimeSpan? Remaining);

/// <summary>One address of an answer to decide, as a value (no <see cref="IPAddress"/>): IPv4 in the
/// low 32 bits of <paramref name="Bits"/>, or all 128 bits of IPv6, in host order (as
/// Steer.Dns.DnsAddress.Bits), with the TTL of its record in seconds.</summary>
public readonly record struct DecisionTarget(UInt128 Bits, bool IsIPv6, uint TtlSeconds);

/// <summary>
/// The kernel's decision map: destination address → interface (and rule), until it expires.
/// The name plane writes it before answering a query, so the application's first connect finds
/// it. Writes are one map update, allocation-free.
/// </summary>
public sealed class DecisionMap : IDisposable
{
    private readonly BpfMap _ipv4;
    private readonly BpfMap _ipv6;

    internal DecisionMap(BpfMap ipv4, BpfMap ipv6)
    {
        _ipv4 = ipv4;
        _ipv6 = ipv6;
    }

    /// <summary>Sends <paramref name="address"/> through interface <paramref name="interfaceIndex"/>
    /// for <paramref name="ttl"/> (null: until removed; zero or less: already expired).
    /// IPv4-mapped IPv6 is stored as IPv4, since that is what leaves on the wire. One map update
    /// and no allocation: the resolver calls this before every answer it sends. Throws
    /// <see cref="LinuxException"/> when the kernel refuses, <see cref="DecisionMapFullException"/> when the map is full.</summary>
    public void Set(IPAddress address, int interfaceIndex, uint rule, TimeSpan? ttl)
    {
        ArgumentNullException.ThrowIfNull(address);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(interfaceIndex);
        var value = new SteerDecision
        {
            Ifindex = (uint)interfaceIndex,
            Rule = rule,
            ExpiresNs = ttl is { } t ? ExpiresAt(BootClock.NowNanoseconds, t) : 0,
        };
        try
        {
            if (TryKeys(address, out uint key4, out var key6))
                _ipv4.Update(key4, value);
            else
                _ipv6.Update(key6, value);
        }
        catch (LinuxException e) when (e.Errno == Errno.E2BIG)
        {
            throw new DecisionMapFullException(Capacity, e);
        }
    }

    /// <summary>How many decisions each address family's map has room for (dns.max-decisions when
    /// the maps were made; pinned maps keep their size across daemon restarts).</summary>
    public uint Capacity => _ipv4.MaxEntries;

    /// <summary>The decisions of one answer: every address through <paramref name="interfaceIndex"/>
    /// for its TTL (seconds) plus <paramref name="extra"/>, with one map update per address
    /// family (BPF_MAP_UPDATE_BATCH) instead of one per address, and no allocation (up to 64 per
    /// family on the stack; more go in further batches). Throws as <see cref="Set"/>; when it
    /// throws, some of the decisions may be written.</summary>
    public void SetAll(IReadOnlyList<(IPAddress Address, uint TtlSeconds)> decisions, int interfaceIndex, uint rule, TimeSpan extra)
    {
        ArgumentNullException.ThrowIfNull(decisions);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(interfaceIndex);
        const int Chunk = 64;
        Span<DecisionTarget> targets = stackalloc DecisionTarget[Chunk];
        for (int first = 0; first < decisions.Count; first += Chunk)
        {
            int n = Math.Min(Chunk, decisions.Count - first);
            for (int i = 0; i < n; i++)
            {
                var (address, ttl) = decisions[first + i];
                ArgumentNullException.ThrowIfNull(address, nameof(decisions));
                targets[i] = TargetOf(address, ttl);
            }
            SetAll(targets[..n], interfaceIndex, rule, extra);
        }
    }

    /// <summary>An address as a value (IPv4 as its 32 bits, IPv6 as 128), without allocating.</summary>
    private static DecisionTarget TargetOf(IPAddress address, uint ttlSeconds)
    {
        Span<byte> bytes = stackalloc byte[16];
        if (!address.TryWriteBytes(bytes, out int written) || written is not (4 or 16))
            throw new ArgumentException($"{address} is neither IPv4 nor IPv6", nameof(address));
        return written == 4
            ? new DecisionTarget(BinaryPrimitives.ReadUInt32BigEndian(bytes), IsIPv6: false, ttlSeconds)
            : new DecisionTarget(BinaryPrimitives.ReadUInt128BigEndian(bytes), IsIPv6: true, ttlSeconds);
    }

    /// <summary><see cref="SetAll(IReadOnlyList{ValueTuple{IPAddress, uint}}, int, uint, TimeSpan)"/> for
    /// addresses as values: what the resolver decides from an answer's wire bytes, with nothing
    /// allocated on the way.</summary>
    public void SetAll(ReadOnlySpan<DecisionTarget> decisions, int interfaceIndex, uint rule, TimeSpan extra)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(interfaceIndex);
        const int Chunk = 64;
        Span<uint> keys4 = stackalloc uint[Chunk];
        Span<SteerDecision6Key> keys6 = stackalloc SteerDecision6Key[Chunk];
        Span<SteerDecision> values4 = stackalloc SteerDecision[Chunk];
        Span<SteerDecision> values6 = stackalloc SteerDecision[Chunk];
        ulong now = BootClock.NowNanoseconds;
        int n4 = 0, n6 = 0;
        for (int i = 0; i < decisions.Length; i++)
        {
            var target = decisions[i];
            var value = new SteerDecision
            {
                Ifindex = (uint)interfaceIndex,
                Rule = rule,
                ExpiresNs = ExpiresAt(now, TimeSpan.FromSeconds(target.TtlSeconds) + extra),
            };
            if (TryKeys(target, out uint key4, out var key6))
            {
                keys4[n4] = key4;
                values4[n4++] = value;
            }
            else
            {
                keys6[n6] = key6;
                values6[n6++] = value;
            }
            if (n4 == Chunk || n6 == Chunk || i == decisions.Length - 1)
            {
                try
                {
                    _ipv4.UpdateBatch<uint, SteerDecision>(keys4[..n4], values4[..n4]);
                    _ipv6.UpdateBatch<SteerDecision6Key, SteerDecision>(keys6[..n6], values6[..n6]);
                }
                catch (LinuxException e) when (e.Errno == Errno.E2BIG)
                {
                    throw new DecisionMapFullException(Capacity, e);
                }
                n4 = n6 = 0;
            }
        }
    }

    public bool Remove(IPAddress address)
    {
        ArgumentNullException.ThrowIfNull(address);
        return TryKeys(address, out uint key4, out var key6) ? _ipv4.Delete(key4) : _ipv6.Delete(key6);
    }

    public bool TryGet(IPAddress address, out Decision decision)
    {
        ArgumentNullException.ThrowIfNull(address);
        bool found = TryKeys(address, out uint key4, out var key6)
            ? _ipv4.TryLookup(key4, out SteerDecision value)
            : _ipv6.TryLookup(key6, out value);
        decision = found ? ToDecision(address, value, BootClock.NowNanoseconds) : null!;
        return found;
    }

    /// <summary>Every decision, expired ones included (their Remaining is zero).</summary>
    public IReadOnlyList<Decision> Snapshot()
    {
        ulong now = BootClock.NowNanoseconds;
        var decisions = new List<Decision>();
        foreach (var key in _ipv4.Keys<uint>())
            if (_ipv4.TryLookup(key, out SteerDecision value))
                decisions.Add(ToDecision(FromKey4(key), value, now));
        foreach (var key in _ipv6.Keys<SteerDecision6Key>())
            if (_ipv6.TryLookup(key, out SteerDecision value))
                decisions.Add(ToDecision(FromKey6(key), value, now));
        return decisions;
    }

    /// <summary>How many decisions the maps hold, expired ones included.</summary>
    public int Count => _ipv4.Keys<uint>().Count + _ipv6.Keys<SteerDecision6Key>().Count;

    /// <summary>Removes decisions expired at <paramref name="now"/> (CLOCK_BOOTTIME nanoseconds,
    /// as <see cref="BootClock.NowNanoseconds"/>; null: now). The programs already ignore them;
    /// this only gives their room back. Returns how many were removed. Reads values in place,
    /// without building <see cref="Decision"/>s: the maps may hold a million entries.</summary>
    public int Sweep(ulong? now = null)
    {
        ulong at = now ?? BootClock.NowNanoseconds;
        int removed = 0;
        foreach (var key in _ipv4.Keys<uint>())
            if (_ipv4.TryLookup(key, out SteerDecision value) && IsExpired(value, at) && _ipv4.Delete(key))
                removed++;
        foreach (var key in _ipv6.Keys<SteerDecision6Key>())
            if (_ipv6.TryLookup(key, out SteerDecision value) && IsExpired(value, at) && _ipv6.Delete(key))
                removed++;
        return removed;
    }

    public void Dispose()
    {
        _ipv4.Dispose();
        _ipv6.Dispose();
    }

    private static Decision ToDecision(IPAddress address, SteerDecision value, ulong now) => new(
        address, (int)value.Ifindex, value.Rule,
        value.ExpiresNs == 0 ? null : value.ExpiresNs <= now ? TimeSpan.Zero : TimeSpan.FromTicks((long)((value.ExpiresNs - now) / 100)));

    // The same test as the programs' in_force: expired once its time is strictly past.
    private static bool IsExpired(SteerDecision value, ulong now) => value.ExpiresNs != 0 && value.ExpiresNs < now;

    /// <summary>CLOCK_BOOTTIME nanoseconds <paramref name="ttl"/> after <paramref name="now"/>,
    /// saturated rather than wrapped (a TimeSpan.MaxValue TTL must not expire at once).</summary>
    internal static ulong ExpiresAt(ulong now, TimeSpan ttl)
    {
        if (ttl <= TimeSpan.Zero)
            return now;
        ulong ticks = (ulong)ttl.Ticks;
        ulong nanoseconds = ticks > ulong.MaxValue / 100 ? ulong.MaxValue : ticks * 100;
        return nanoseconds > ulong.MaxValue - now ? ulong.MaxValue : now + nanoseconds;
    }

    /// <summary>The map key: IPv4 (and IPv4-mapped IPv6) as the 4 address bytes as they lie in
    /// memory, i.e. network order, which is what the programs read from user_ip4; otherwise the
    /// 16 bytes. No allocation (IPAddress.MapToIPv4 would make a new object).</summary>
    private static unsafe bool TryKeys(IPAddress address, out uint key4, out SteerDecision6Key key6)
    {
        key4 = 0;
        key6 = default;
        if (address.AddressFamily == AddressFamily.InterNetwork)
        {
            Span<byte> bytes = stackalloc byte[4];
            address.TryWriteBytes(bytes, out _);
            key4 = BinaryPrimitives.ReadUInt32LittleEndian(bytes);
            return true;
        }
        SteerDecision6Key key = default; // a local: its fixed buffer needs no pinning
        var span = new Span<byte>(key.Address, 16);
        if (address.AddressFamily != AddressFamily.InterNetworkV6 || !address.TryWriteBytes(span, out int written) || written != 16)
            throw new ArgumentException($"{address} is neither IPv4 nor IPv6", nameof(address));
        if (!span[..10].ContainsAnyExcept((byte)0) && span[10] == 0xff && span[11] == 0xff)
        {
            key4 = BinaryPrimitives.ReadUInt32LittleEndian(span[12..]);
            return true;
        }
        key6 = key;
        return false;
    }

    /// <summary>The map keys of a value address, as <see cref="TryKeys(IPAddress, out uint, out SteerDecision6Key)"/>
    /// (IPv4-mapped IPv6 as IPv4).</summary>
    private static unsafe bool TryKeys(DecisionTarget target, out uint key4, out SteerDecision6Key key6)
    {
        key4 = 0;
        key6 = default;
        if (!target.IsIPv6 || target.Bits >> 32 == 0xffff)
        {
            Span<byte> bytes = stackalloc byte[4];
            BinaryPrimitives.WriteUInt32BigEndian(bytes, (uint)target.Bits);
            key4 = BinaryPrimitives.ReadUInt32LittleEndian(bytes);
            return true;
        }
        SteerDecision6Key key = default;
        BinaryPrimitives.WriteUInt128BigEndian(new Span<byte>(key.Address, 16), target.Bits);
        key6 = key;
        return false;
    }

    private static IPAddress FromKey4(uint key)
    {
        Span<byte> bytes = stackalloc byte[4];
        BinaryPrimitives.WriteUInt32LittleEndian(bytes, key);
        return new IPAddress(bytes);
    }

    private static unsafe IPAddress FromKey6(SteerDecision6Key key) => new(new ReadOnlySpan<byte>(key.Address, 16));
}
