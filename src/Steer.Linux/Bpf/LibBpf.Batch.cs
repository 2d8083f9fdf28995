using System.Runtime.InteropServices;

namespace Steer.Linux.Bpf;

internal static unsafe partial class LibBpf
{
    /// <summary>struct bpf_map_batch_opts.</summary>
    [StructLayout(LayoutKind.Sequential)]
    internal struct MapBatchOptions
    {
        public nuint Size;
        public ulong ElemFlags;
        public ulong Flags;
    }

    /// <summary>BPF_MAP_UPDATE_BATCH (Linux 5.6): <paramref name="count"/> in, how many were
    /// written out (also on failure).</summary>
    [LibraryImport(Lib, SetLastError = true)]
    internal static partial int bpf_map_update_batch(int fd, void* keys, void* values, uint* count, MapBatchOptions* options);
}
