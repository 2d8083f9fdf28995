using System.Buffers.Binary;
using System.Net;
using System.Net.Sockets;
using Steer.Linux.Bpf;
using Steer.Linux.Native;

namespace Steer.Linux.SocketPlane;

/// <summary>One decision as listed: the address, the interface, the rule, and the time left.</summary>
public sealed record Decision(IPAddress Address, int InterfaceIndex, uint Rule, TimeSpan? Remaining);

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
    /// for <paramref name="ttl"/> (null: until removed). IPv4-mapped IPv6 is stored as IPv4.</summary>
    public void Set(IPAddress address, int interfaceIndex, uint rule, TimeSpan? ttl)
    {
        ArgumentNullException.ThrowIfNull(address);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(interfaceIndex);
        var value = new SteerDecision
        {
            Ifindex = (uint)interfaceIndex,
            Rule = rule,
            ExpiresNs = ttl is { } t ? BootClock.NowNanoseconds + (ulong)Math.Max(t.Ticks, 0) * 100UL : 0,
        };
        if (TryKey4(address, out uint key4))
            _ipv4.Update(key4, value);
        else
            _ipv6.Update(Key6(address), value);
    }

    public bool Remove(IPAddress address)
    {
        ArgumentNullException.ThrowIfNull(address);
        return TryKey4(address, out uint key4) ? _ipv4.Delete(key4) : _ipv6.Delete(Key6(address));
    }

    public bool TryGet(IPAddress address, out Decision decision)
    {
        ArgumentNullException.ThrowIfNull(address);
        bool found = TryKey4(address, out uint key4)
            ? _ipv4.TryLookup(key4, out SteerDecision value)
            : _ipv6.TryLookup(Key6(address), out value);
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

    /// <summary>Removes expired decisions (the programs already ignore them); returns how many.</summary>
    public int Sweep()
    {
        int removed = 0;
        foreach (var decision in Snapshot())
            if (decision.Remaining == TimeSpan.Zero && Remove(decision.Address))
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

    private static bool TryKey4(IPAddress address, out uint key)
    {
        var v4 = address.IsIPv4MappedToIPv6 ? address.MapToIPv4() : address;
        key = 0;
        if (v4.AddressFamily != AddressFamily.InterNetwork)
            return false;
        Span<byte> bytes = stackalloc byte[4];
        v4.TryWriteBytes(bytes, out _);
        key = BinaryPrimitives.ReadUInt32LittleEndian(bytes); // the bytes as they lie in memory: network order
        return true;
    }

    private static unsafe SteerDecision6Key Key6(IPAddress address)
    {
        var key = new SteerDecision6Key();
        if (!address.TryWriteBytes(new Span<byte>(key.Address, 16), out int written) || written != 16)
            throw new ArgumentException($"{address} is neither IPv4 nor IPv6", nameof(address));
        return key;
    }

    private static IPAddress FromKey4(uint key)
    {
        Span<byte> bytes = stackalloc byte[4];
        BinaryPrimitives.WriteUInt32LittleEndian(bytes, key);
        return new IPAddress(bytes);
    }

    private static unsafe IPAddress FromKey6(SteerDecision6Key key) => new(new ReadOnlySpan<byte>(key.Address, 16));
}
