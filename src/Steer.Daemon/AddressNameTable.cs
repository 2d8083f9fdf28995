using System.Diagnostics.CodeAnalysis;

namespace Steer.Daemon;

/// <summary>
/// The storage of <see cref="AddressNameMap"/>: address → (name, expiry) as structs in one array,
/// open addressing with linear probing and backward-shift deletion (no tombstones, so a table
/// that only churns never fills up with dead slots). Not thread-safe: the map locks around it.
/// Its own table rather than a Dictionary so that a sweep can go through it a range of slots at
/// a time (<see cref="SweepFrom"/>) and let the resolver's writes in between: a Dictionary can
/// only be enumerated whole, and a sweep of a million entries under one lock would stall every
/// answer in flight for milliseconds.
/// </summary>
internal sealed class AddressNameTable
{
    /// <summary>An address as a value (what the decision map holds), IPv4 in the low 32 bits.</summary>
    public readonly record struct Key(UInt128 Bits, bool IsIPv6);

    /// <summary>A slot. Empty while <see cref="Name"/> is null.</summary>
    private struct Slot
    {
        public Key Key;
        public int Hash;
        public string? Name;
        public long ExpiresTicks;
    }

    /// <summary>Slots of a new or shrunk table (a power of two).</summary>
    public const int MinCapacity = 256;

    private Slot[] _slots = new Slot[MinCapacity];
    private int _count;

    public int Count => _count;

    /// <summary>Slots, used or not: the range <see cref="SweepFrom"/> walks.</summary>
    public int Capacity => _slots.Length;

    public bool TryGet(in Key key, [NotNullWhen(true)] out string? name, out long expiresTicks)
    {
        int index = IndexOf(key, HashOf(key));
        if (index < 0)
        {
            (name, expiresTicks) = (null, 0);
            return false;
        }
        ref var slot = ref _slots[index];
        (name, expiresTicks) = (slot.Name!, slot.ExpiresTicks);
        return true;
    }

    /// <summary>If the address already holds <paramref name="name"/>, only its expiry moves (no
    /// write of a reference, no allocation); <paramref name="held"/> is the string it holds.</summary>
    public bool TryRefresh(in Key key, ReadOnlySpan<char> name, long expiresTicks, [NotNullWhen(true)] out string? held)
    {
        int index = IndexOf(key, HashOf(key));
        if (index >= 0 && name.SequenceEqual(_slots[index].Name))
        {
            ref var slot = ref _slots[index];
            slot.ExpiresTicks = expiresTicks;
            held = slot.Name!;
            return true;
        }
        held = null;
        return false;
    }

    /// <summary>Adds the address or replaces what it holds.</summary>
    public void Set(in Key key, string name, long expiresTicks)
    {
        int hash = HashOf(key);
        int index = IndexOf(key, hash);
        if (index < 0)
        {
            if ((_count + 1) * 8 > _slots.Length * 5) // linear probing slows down past ~5/8 full
                Resize(_slots.Length * 2);
            index = FreeSlotOf(hash);
            _slots[index].Key = key;
            _slots[index].Hash = hash;
            _count++;
        }
        _slots[index].Name = name;
        _slots[index].ExpiresTicks = expiresTicks;
    }

    /// <summary>Removes the expired entries among up to <paramref name="slots"/> slots from
    /// <paramref name="start"/>; returns where to go on from. An entry moved back into a slot
    /// already passed (only across the array's end) waits for the next sweep.</summary>
    public int SweepFrom(int start, int slots, long nowTicks)
    {
        int end = Math.Min(_slots.Length, start + slots), index = start;
        while (index < end)
        {
            ref var slot = ref _slots[index];
            if (slot.Name is not null && slot.ExpiresTicks <= nowTicks)
                RemoveAt(index); // a later entry may have moved into it: look at it again
            else
                index++;
        }
        return end;
    }

    /// <summary>After a sweep: a table a burst grew and that is now mostly empty gives its room
    /// back (to a quarter full, so that it does not grow again at once).</summary>
    public void TrimIfSparse()
    {
        if (_slots.Length > MinCapacity && _count * 8 < _slots.Length)
            Resize(Math.Max(MinCapacity, (int)System.Numerics.BitOperations.RoundUpToPowerOf2((uint)Math.Max(1, _count * 4))));
    }

    /// <summary>Every entry that expires after <paramref name="nowTicks"/>.</summary>
    public void AddLiveTo(List<(Key Key, string Name, long ExpiresTicks)> list, long nowTicks)
    {
        foreach (ref readonly var slot in _slots.AsSpan())
            if (slot.Name is not null && slot.ExpiresTicks > nowTicks)
                list.Add((slot.Key, slot.Name, slot.ExpiresTicks));
    }

    /// <summary>Seeded per process (HashCode), and mixed well enough for the low bits alone to
    /// pick a slot: addresses come from answers an upstream chose, so no crafted clustering.</summary>
    internal static int HashOf(in Key key) => HashCode.Combine(key.Bits, key.IsIPv6);

    /// <summary>The slot holding the key, or -1. Ends at an empty slot: the table is never full.</summary>
    private int IndexOf(in Key key, int hash)
    {
        var slots = _slots;
        int mask = slots.Length - 1;
        for (int index = hash & mask; ; index = (index + 1) & mask)
        {
            ref var slot = ref slots[index];
            if (slot.Name is null)
                return -1;
            if (slot.Hash == hash && slot.Key == key)
                return index;
        }
    }

    private int FreeSlotOf(int hash)
    {
        int mask = _slots.Length - 1;
        int index = hash & mask;
        while (_slots[index].Name is not null)
            index = (index + 1) & mask;
        return index;
    }

    /// <summary>Backward-shift deletion: each entry of the cluster after the hole that may sit
    /// nearer its home slot moves into the hole, so every probe sequence stays unbroken.</summary>
    private void RemoveAt(int hole)
    {
        int mask = _slots.Length - 1;
        for (int next = (hole + 1) & mask; _slots[next].Name is not null; next = (next + 1) & mask)
        {
            int home = _slots[next].Hash & mask;
            bool homeAfterHole = hole <= next ? hole < home && home <= next : hole < home || home <= next;
            if (homeAfterHole)
                continue; // moving it into the hole would put it before its home
            _slots[hole] = _slots[next];
            hole = next;
        }
        _slots[hole] = default;
        _count--;
    }

    private void Resize(int capacity)
    {
        var old = _slots;
        _slots = new Slot[capacity];
        foreach (ref readonly var slot in old.AsSpan())
        {
            if (slot.Name is not null)
                _slots[FreeSlotOf(slot.Hash)] = slot;
        }
    }
}
