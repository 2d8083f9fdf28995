using System.Runtime.InteropServices;

namespace Steer.Linux.Bpf;

internal static unsafe partial class LibBpf
{
    /// <summary>The key after <paramref name="key"/> (null: the first); -1 with ENOENT at the end.</summary>
    [LibraryImport(Lib, SetLastError = true)]
    internal static partial int bpf_map_get_next_key(int fd, void* key, void* nextKey);
}
