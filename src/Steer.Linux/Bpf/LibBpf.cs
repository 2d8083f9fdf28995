using System.Runtime.InteropServices;

namespace Steer.Linux.Bpf;

/// <summary>
/// libbpf 1.x entry points, one <c>[LibraryImport]</c> each. libbpf 1.0 semantics: pointer
/// returning calls give NULL and set errno on failure; int returning calls give -errno.
/// </summary>
internal static unsafe partial class LibBpf
{
    private const string Lib = "libbpf.so.1";

    [StructLayout(LayoutKind.Sequential)]
    internal struct ObjectOpenOptions
    {
        public nuint Size;
        public byte* ObjectName;
        public byte RelaxedMaps;
        public byte* PinRootPath;
        public uint Unused;
        public byte* Kconfig;
        public byte* BtfCustomPath;
        public byte* KernelLogBuffer;
        public nuint KernelLogSize;
        public uint KernelLogLevel;
    }

    [LibraryImport(Lib, SetLastError = true)]
    internal static partial nint bpf_object__open_mem(void* buffer, nuint size, ObjectOpenOptions* options);

    [LibraryImport(Lib, SetLastError = true)]
    internal static partial int bpf_object__load(nint obj);

    [LibraryImport(Lib)]
    internal static partial void bpf_object__close(nint obj);

    [LibraryImport(Lib, StringMarshalling = StringMarshalling.Utf8)]
    internal static partial nint bpf_object__find_program_by_name(nint obj, string name);

    [LibraryImport(Lib, StringMarshalling = StringMarshalling.Utf8)]
    internal static partial nint bpf_object__find_map_by_name(nint obj, string name);

    [LibraryImport(Lib)]
    internal static partial int bpf_program__fd(nint prog);

    [LibraryImport(Lib, SetLastError = true)]
    internal static partial nint bpf_program__attach_cgroup(nint prog, int cgroupFd);

    [LibraryImport(Lib)]
    internal static partial int bpf_map__fd(nint map);

    [LibraryImport(Lib)]
    internal static partial int bpf_map__set_max_entries(nint map, uint maxEntries);

    [LibraryImport(Lib)]
    internal static partial void* bpf_map__initial_value(nint map, nuint* size);

    [LibraryImport(Lib, SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    internal static partial int bpf_link__pin(nint link, string path);

    [LibraryImport(Lib)]
    internal static partial int bpf_link__destroy(nint link);

    [LibraryImport(Lib)]
    internal static partial int bpf_link__fd(nint link);

    [LibraryImport(Lib, SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    internal static partial int bpf_obj_pin(int fd, string path);

    [LibraryImport(Lib, SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    internal static partial int bpf_obj_get(string path);

    /// <summary>The head of the kernel's struct bpf_map_info (uapi/linux/bpf.h); the kernel fills
    /// as much as the length given, so the fields not needed are left out.</summary>
    [StructLayout(LayoutKind.Sequential)]
    internal struct MapInfoHead
    {
        public uint Type;
        public uint Id;
        public uint KeySize;
        public uint ValueSize;
        public uint MaxEntries;
        public uint MapFlags;
    }

    [LibraryImport(Lib, SetLastError = true)]
    internal static partial int bpf_obj_get_info_by_fd(int fd, void* info, uint* infoLength);

    [LibraryImport(Lib, SetLastError = true)]
    internal static partial int bpf_map_update_elem(int fd, void* key, void* value, ulong flags);

    [LibraryImport(Lib, SetLastError = true)]
    internal static partial int bpf_map_lookup_elem(int fd, void* key, void* value);

    [LibraryImport(Lib, SetLastError = true)]
    internal static partial int bpf_map_delete_elem(int fd, void* key);

    [LibraryImport(Lib)]
    internal static partial int libbpf_probe_bpf_prog_type(int progType, void* options);

    [LibraryImport(Lib)]
    internal static partial int libbpf_probe_bpf_map_type(int mapType, void* options);

    [LibraryImport(Lib)]
    internal static partial int libbpf_probe_bpf_helper(int progType, int helperId, void* options);

    [LibraryImport(Lib)]
    internal static partial nint libbpf_set_print(delegate* unmanaged<int, byte*, nint, int> printer);
}
