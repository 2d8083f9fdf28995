using Steer.Linux.Native;

namespace Steer.Linux.Bpf;

public sealed unsafe partial class BpfMap
{
    /// <summary>Every key, read with bpf_map_get_next_key. A map changed meanwhile may yield a key
    /// twice or miss one: good for listings and sweeps, which run again.</summary>
    public List<TKey> Keys<TKey>() where TKey : unmanaged
    {
        var keys = new List<TKey>();
        TKey current = default, next;
        TKey* previous = null;
        while (LibBpf.bpf_map_get_next_key(Fd, previous, &next) == 0)
        {
            keys.Add(next);
            current = next;
            previous = &current;
        }
        int errno = Errno.Last;
        return errno == Errno.ENOENT ? keys : throw new LinuxException($"list keys of map {Name}", errno);
    }
}
