using System.Reflection;
using System.Runtime.InteropServices;
using System.Text;
using Steer.Linux.Native;

namespace Steer.Linux.Bpf;

/// <summary>
/// One BPF ELF object through its two phases. Opened, it is a spec: read-only settings and map
/// sizes may still change. <see cref="Load"/> hands it to the kernel (verifier included); from
/// then on programs and maps have fds. Disposing closes every fd the object owns; links made
/// from its programs are separate objects with their own lifetime.
/// </summary>
public sealed unsafe partial class BpfObject : IDisposable
{
    private nint obj;
    private readonly Dictionary<string, BpfMap> maps = new(StringComparer.Ordinal);
    public string Name { get; }
    public bool IsLoaded { get; private set; }

    private BpfObject(nint obj, string name)
    {
        this.obj = obj;
        Name = name;
    }

    /// <summary>Opens an object embedded in this assembly as <c>bpf/NAME.bpf.o</c> (from bpf/NAME.bpf.c).</summary>
    public static BpfObject OpenEmbedded(string name)
    {
        using var stream = typeof(BpfObject).Assembly.GetManifestResourceStream($"bpf/{name}.bpf.o")
            ?? throw new InvalidOperationException($"BPF object {name}.bpf.o is not embedded in {typeof(BpfObject).Assembly.GetName().Name}");
        var elf = new byte[stream.Length];
        stream.ReadExactly(elf);
        return Open(elf, name);
    }

    public static BpfObject Open(ReadOnlySpan<byte> elf, string name)
    {
        LibBpfLog.Start();
        var nameBytes = Encoding.UTF8.GetBytes(name + "\0");
        nint handle;
        fixed (byte* data = elf)
        fixed (byte* namePtr = nameBytes)
        {
            var options = new LibBpf.ObjectOpenOptions { Size = (nuint)sizeof(LibBpf.ObjectOpenOptions), ObjectName = namePtr };
            handle = LibBpf.bpf_object__open_mem(data, (nuint)elf.Length, &options);
        }
        if (handle == 0)
            throw new BpfException($"open BPF object {name}", Errno.Last, LibBpfLog.Take());
        return new BpfObject(handle, name);
    }

    /// <summary>
    /// The read-only settings (<c>const volatile</c> globals, the .rodata section) as one struct.
    /// Only before <see cref="Load"/>: the kernel verifies the programs against these values.
    /// </summary>
    public void SetReadOnlySettings<T>(in T settings) where T : unmanaged
    {
        RequireSpec();
        nint map = LibBpf.bpf_object__find_map_by_name(obj, ".rodata");
        if (map == 0)
            throw new InvalidOperationException($"{Name} has no .rodata section");
        nuint size;
        void* data = LibBpf.bpf_map__initial_value(map, &size);
        if (data == null || size < (nuint)sizeof(T))
            throw new InvalidOperationException($"{Name}: .rodata is {size} bytes, {typeof(T).Name} needs {sizeof(T)}");
        *(T*)data = settings;
    }

    public void SetMaxEntries(string mapName, uint maxEntries)
    {
        RequireSpec();
        int result = LibBpf.bpf_map__set_max_entries(FindMap(mapName), maxEntries);
        if (result < 0)
            throw new LinuxException($"resize map {mapName} of {Name}", -result);
    }

    /// <summary>Loads every program and map into the kernel. A verifier rejection becomes a
    /// <see cref="BpfException"/> whose message ends with the verifier's last lines.</summary>
    public void Load()
    {
        RequireSpec();
        LibBpfLog.Start();
        int result = LibBpf.bpf_object__load(obj);
        if (result < 0)
            throw new BpfException($"load BPF object {Name}", -result, LibBpfLog.Take());
        IsLoaded = true;
    }

    public int ProgramFd(string programName)
    {
        RequireLoaded();
        return LibBpf.bpf_program__fd(FindProgram(programName));
    }

    public BpfMap Map(string mapName)
    {
        RequireLoaded();
        if (!maps.TryGetValue(mapName, out var map))
        {
            map = new BpfMap(mapName, LibBpf.bpf_map__fd(FindMap(mapName)), ownsFd: false);
            maps[mapName] = map;
        }
        return map;
    }

    /// <summary>Attaches a program to a cgroup through a bpf_link (kernel 5.7): it stays attached
    /// while the link is open or pinned, and detaches when the last holder goes.</summary>
    public BpfLink AttachCgroup(string programName, int cgroupFd, string cgroupDescription)
    {
        RequireLoaded();
        LibBpfLog.Start();
        nint link = LibBpf.bpf_program__attach_cgroup(FindProgram(programName), cgroupFd);
        if (link == 0)
            throw new BpfException($"attach {programName} to cgroup {cgroupDescription}", Errno.Last, LibBpfLog.Take());
        return new BpfLink(link, $"{programName} on {cgroupDescription}");
    }

    private nint FindProgram(string name)
    {
        nint prog = LibBpf.bpf_object__find_program_by_name(obj, name);
        return prog != 0 ? prog : throw new InvalidOperationException($"{Name} has no program {name}");
    }

    private nint FindMap(string name)
    {
        nint map = LibBpf.bpf_object__find_map_by_name(obj, name);
        return map != 0 ? map : throw new InvalidOperationException($"{Name} has no map {name}");
    }

    private void RequireSpec()
    {
        ObjectDisposedException.ThrowIf(obj == 0, this);
        if (IsLoaded)
            throw new InvalidOperationException($"{Name} is already loaded; settings are fixed at load");
    }

    private void RequireLoaded()
    {
        ObjectDisposedException.ThrowIf(obj == 0, this);
        if (!IsLoaded)
            throw new InvalidOperationException($"{Name} is not loaded yet");
    }

    public void Dispose()
    {
        if (obj != 0)
            LibBpf.bpf_object__close(obj);
        obj = 0;
        maps.Clear();
    }
}
