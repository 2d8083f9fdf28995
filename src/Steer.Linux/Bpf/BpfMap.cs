using System.Runtime.InteropServices;
using Steer.Linux.Native;

namespace Steer.Linux.Bpf;

/// <summary>
/// A loaded map, addressed by fd. Keys and values are unmanaged structs whose layout mirrors the
/// C side byte for byte. The fd belongs to the <see cref="BpfObject"/> (or to this instance when
/// opened from a pin) and is closed with it.
/// </summary>
public sealed unsafe partial class BpfMap : IDisposable
{
    private readonly bool ownsFd;
    public string Name { get; }
    public int Fd { get; private set; }

    internal BpfMap(string name, int fd, bool ownsFd)
    {
        Name = name;
        Fd = fd;
        this.ownsFd = ownsFd;
    }

    /// <summary>Opens a map pinned at <paramref name="path"/> (a file in a bpffs).</summary>
    public static BpfMap OpenPinned(string path)
    {
        int fd = LibBpf.bpf_obj_get(path);
        if (fd < 0)
            throw new LinuxException($"open pinned map {path}", Errno.Last);
        return new BpfMap(Path.GetFileName(path), fd, ownsFd: true);
    }

    public void Update<TKey, TValue>(in TKey key, in TValue value, MapUpdate flags = MapUpdate.Any)
        where TKey : unmanaged where TValue : unmanaged
    {
        TKey k = key;
        TValue v = value;
        if (LibBpf.bpf_map_update_elem(Fd, &k, &v, (ulong)flags) < 0)
            throw new LinuxException($"update map {Name}", Errno.Last);
    }

    public bool TryLookup<TKey, TValue>(in TKey key, out TValue value)
        where TKey : unmanaged where TValue : unmanaged
    {
        TKey k = key;
        TValue v;
        if (LibBpf.bpf_map_lookup_elem(Fd, &k, &v) < 0)
        {
            int errno = Errno.Last;
            if (errno != Errno.ENOENT)
                throw new LinuxException($"lookup in map {Name}", errno);
            value = default;
            return false;
        }
        value = v;
        return true;
    }

    public bool Delete<TKey>(in TKey key) where TKey : unmanaged
    {
        TKey k = key;
        if (LibBpf.bpf_map_delete_elem(Fd, &k) < 0)
        {
            int errno = Errno.Last;
            return errno == Errno.ENOENT ? false : throw new LinuxException($"delete from map {Name}", errno);
        }
        return true;
    }

    /// <summary>How many entries the kernel made room for (max_entries): a pinned map keeps the
    /// size it was created with.</summary>
    public uint MaxEntries
    {
        get
        {
            LibBpf.MapInfoHead info = default;
            uint length = (uint)sizeof(LibBpf.MapInfoHead);
            if (LibBpf.bpf_obj_get_info_by_fd(Fd, &info, &length) < 0)
                throw new LinuxException($"read the info of map {Name}", Errno.Last);
            return info.MaxEntries;
        }
    }

    /// <summary>Pins the map at <paramref name="path"/> so it outlives this process.</summary>
    public void Pin(string path)
    {
        if (LibBpf.bpf_obj_pin(Fd, path) < 0)
            throw new LinuxException($"pin map {Name} at {path}", Errno.Last);
    }

    public void Dispose()
    {
        if (ownsFd && Fd >= 0)
            _ = Libc.close(Fd);
        Fd = -1;
    }
}

[Flags]
public enum MapUpdate : ulong
{
    Any = 0,
    NoExist = 1,
    Exist = 2,
}
