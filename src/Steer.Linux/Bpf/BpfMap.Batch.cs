using Steer.Linux.Native;

namespace Steer.Linux.Bpf;

public sealed unsafe partial class BpfMap
{
    /// <summary>Writes every key's value with one system call (BPF_MAP_UPDATE_BATCH, Linux 5.6),
    /// not one per key. Not atomic: when the kernel refuses one (E2BIG: the map is full), those
    /// before it are written and the exception says how many.</summary>
    public void UpdateBatch<TKey, TValue>(ReadOnlySpan<TKey> keys, ReadOnlySpan<TValue> values, MapUpdate flags = MapUpdate.Any)
        where TKey : unmanaged where TValue : unmanaged
    {
        if (keys.Length != values.Length)
            throw new ArgumentException($"{keys.Length} keys but {values.Length} values", nameof(values));
        if (keys.IsEmpty)
            return;
        if (keys.Length == 1)
        {
            Update(keys[0], values[0], flags);
            return;
        }
        var options = new LibBpf.MapBatchOptions { Size = (nuint)sizeof(LibBpf.MapBatchOptions), ElemFlags = (ulong)flags };
        uint count = (uint)keys.Length;
        fixed (TKey* k = keys)
        fixed (TValue* v = values)
        {
            if (LibBpf.bpf_map_update_batch(Fd, k, v, &count, &options) < 0)
                throw new LinuxException($"update map {Name} ({count} of {keys.Length} written)", Errno.Last);
        }
    }
}
